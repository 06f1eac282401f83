"""Quantities in news sentences: numbers with their qualifiers, read as intervals.

`extract_quantities` finds every number that states an amount (dates, years, times, phone
numbers, labels such as "Su-24" or "Resolution 2254" and ordinals in names are skipped) and
reads around it: the qualifier ("more than"), the unit or currency, the counted noun, the verb
("killed"), negation, part-of and from/to roles, and the direction of a change. The number and
its qualifier become an `Interval` through the rules of `TOLERANCE_TABLE`.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from app.core.dates import find_date_mentions
from app.core.numbers import (
    NumberMention,
    Token,
    normalise_text,
    parse_number_at,
    tokenize,
)


def _words(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True, slots=True)
class Interval:
    """The set of values a stated quantity allows, e.g. "more than 270,000" -> (270000, inf)."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        """True when some value lies in both intervals."""
        if self.high < other.low or other.high < self.low:
            return False
        if self.high == other.low:
            return not (self.high_open or other.low_open)
        if other.high == self.low:
            return not (other.high_open or self.low_open)
        return True

    def relative_gap(self, other: Interval) -> float:
        """Distance between two disjoint intervals relative to the larger bound (0 if they meet)."""
        if self.overlaps(other):
            return 0.0
        lower, upper = (self, other) if self.high <= other.low else (other, self)
        gap = upper.low - lower.high
        scale = max(abs(upper.low), abs(lower.high))
        if scale == 0 or math.isinf(scale):
            return 0.0
        return gap / scale

    def contains(self, value: float) -> bool:
        """True when the value lies in the interval."""
        if value < self.low or value > self.high:
            return False
        if value == self.low and self.low_open:
            return False
        return not (value == self.high and self.high_open)

    def describe(self) -> str:
        """Interval notation: "[245000, 255000]", "(270000, inf)"."""
        left = "(" if self.low_open or math.isinf(self.low) else "["
        right = ")" if self.high_open or math.isinf(self.high) else "]"
        return f"{left}{_fmt(self.low)}, {_fmt(self.high)}{right}"


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity stated in a sentence, with what it measures."""

    text: str  # the span as written: "more than 270,000 people"
    start: int  # character offsets of the span in the sentence
    end: int
    value: float  # the number as stated: 270000.0 (the low end for ranges)
    interval: Interval  # what the statement allows once qualifier and rounding are read
    kind: str  # "count" | "money" | "percent" | "duration" | "measure"
    unit: str | None  # normalised unit or currency: "USD", "percent", "year", "point"...
    noun: str | None  # what is counted, normalised: "people", "warplane"
    predicate: str | None  # what happened to it, lemma: "kill", "displace", "withdraw"
    qualifier: str | None  # "more than", "about", ... as written (None if bare)
    tolerance: str = "exact-small"  # the TOLERANCE_TABLE row that gave the interval
    negated: bool = False  # "did not kill 50", "not more than 10%": not asserted
    direction: str | None = None  # "up" | "down" for changes ("rose 3%", "fell 3%")
    role: str | None = None  # "part" | "total" | "from" | "to" | "ago" (None: plain amount)
    modifiers: tuple[str, ...] = ()  # lower-case words before the noun: ("punitive",)
    subject: str | None = None  # the word the sentence says it of, when found: "dow", "russia"
    context: str | None = None  # nearest content word before, when no verb was found
    slot: str | None = None  # the words around the number: "coded as _ and"


@dataclass(frozen=True, slots=True)
class ToleranceRule:
    """One row of the tolerance table: which statements it covers and the interval it gives."""

    name: str
    applies_to: str
    interval: str
    why: str


TOLERANCE_TABLE: tuple[ToleranceRule, ...] = (
    ToleranceRule(
        "exact-small",
        "a bare whole number below 100, digits or words: '23 warplanes', 'two gunships', '6 years'",
        "exactly the number: [23, 23]",
        "Counts this small are counted, not estimated: '6 years' and 'less than 6 years' conflict, "
        "'23 warplanes' and '25 warplanes' conflict.",
    ),
    ToleranceRule(
        "exact-precise",
        "a bare number whose last digit is not zero, or with decimals and no scale word: "
        "'251,000', '8,586 metres', '74.58 points', '5.25%'",
        "exactly the number: [74.58, 74.58]",
        "Writing every digit claims that precision: '8,568 metres' and '8,586 metres' conflict.",
    ),
    ToleranceRule(
        "rounded",
        "a bare whole number of 100 or more ending in zeros: '250,000', '1,300', '100'",
        "± half the place value of its last non-zero digit, at most ±5%: "
        "250,000 -> [245,000, 255,000]; 1,300 -> [1,250, 1,350]; 100 -> [95, 105]",
        "A round figure is a rounded report: '251,000 killed' fits '250,000 killed', but "
        "'270,000' does not; the 5% cap keeps '100' from meaning anything from 50 to 150.",
    ),
    ToleranceRule(
        "rounded-scaled",
        "a number with a scale word or abbreviation: '1.5 million', '$5.1 billion', '3.5bn', "
        "'£40m', 'two million'",
        "± half a unit of the last written digit, at most ±5%: '1.5 million' -> "
        "[1.45m, 1.55m]; '$5bn' -> [$4.75bn, $5.25bn]; '3.52bn' -> [3.515bn, 3.525bn]",
        "'$5.14bn' is reported as '$5.1bn'; a writer who knew $5.5bn would not write '$5bn'.",
    ),
    ToleranceRule(
        "dozen",
        "'a dozen', 'dozen'",
        "[10, 14]",
        "'A dozen people' is loose speech for about twelve; 'dozens' is a vague amount below.",
    ),
    ToleranceRule(
        "fraction",
        "a fraction word as a share: 'half the population', 'a third of', 'two-thirds'",
        "±10% of the share: half -> [45%, 55%]",
        "'Half' in a sentence is seldom exactly 50%: '48%' fits it, '30%' does not.",
    ),
    ToleranceRule(
        "vague",
        "plural scale words and 'several/a few' + scale: 'dozens' [20, 200), 'hundreds' "
        "[100, 2,000), 'thousands of' [1,000, 20,000), 'tens of thousands' [10,000, 200,000), "
        "'hundreds of thousands' [100,000, 2,000,000), 'millions' [1m, 20m), "
        "'several hundred' [200, 1,000)",
        "from the least the word allows to twenty times that (ten for 'several')",
        "Writers say 'thousands' for 15,000: only a figure clearly outside the word's reach "
        "conflicts ('hundreds of thousands killed' vs '50,000 killed').",
    ),
    ToleranceRule(
        "range",
        "'between 10 and 20', '10-20', '10 to 20 billion' (the scale applies to both ends)",
        "from the low end's band to the high end's band: [10, 20]",
        "A range asserts only its ends.",
    ),
    ToleranceRule(
        "more-than",
        "'more than', 'over', 'above', 'exceeding', 'in excess of', 'upwards of', 'X-plus', 'X+'",
        "(X, inf)",
        "'400,000 killed' does not contradict 'more than 270,000'; X itself does.",
    ),
    ToleranceRule(
        "at-least",
        "'at least', 'no fewer than', 'no less than', 'a minimum of', 'X or more'",
        "[X, inf)",
        "X itself is allowed.",
    ),
    ToleranceRule(
        "less-than",
        "'less than', 'fewer than', 'under', 'below', 'just under'",
        "(-inf, X)",
        "'6' and 'less than 6' conflict.",
    ),
    ToleranceRule(
        "at-most",
        "'up to', 'at most', 'no more than', 'as many as', 'a maximum of', 'X or fewer'",
        "(-inf, X]",
        "X itself is allowed.",
    ),
    ToleranceRule(
        "about",
        "'about', 'around', 'roughly', 'some', 'approximately', 'an estimated', 'or so', "
        "'more or less'",
        "±10% of X, or the rounding band if wider: 'about 250,000' -> [225,000, 275,000]",
        "'About' announces an estimate; 10% is the usual spread between outlets' estimates.",
    ),
    ToleranceRule(
        "nearly",
        "'nearly', 'almost', 'close to', 'just shy of'",
        "[0.9 X, X]",
        "'Nearly 300,000' is a little under 300,000, never above.",
    ),
    ToleranceRule(
        "just-over",
        "'just over', 'just above', 'slightly more than'",
        "(X, 1.1 X]",
        "A little above X.",
    ),
)

_TOLERANCE_CAP = 0.05  # the "at most ±5%" of the rounded rows
_ABOUT_SPREAD = 0.10

# Qualifier phrases (lower case, as token sequences) and the TOLERANCE_TABLE row they select.
_QUALIFIERS_BEFORE: dict[tuple[str, ...], str] = {
    ("more", "than"): "more-than",
    ("over",): "more-than",
    ("above",): "more-than",
    ("exceeding",): "more-than",
    ("in", "excess", "of"): "more-than",
    ("upwards", "of"): "more-than",
    ("greater", "than"): "more-than",
    ("at", "least"): "at-least",
    ("no", "fewer", "than"): "at-least",
    ("no", "less", "than"): "at-least",
    ("not", "less", "than"): "at-least",
    ("a", "minimum", "of"): "at-least",
    ("less", "than"): "less-than",
    ("fewer", "than"): "less-than",
    ("under",): "less-than",
    ("below",): "less-than",
    ("just", "under"): "less-than",
    ("just", "below"): "less-than",
    ("up", "to"): "at-most",
    ("at", "most"): "at-most",
    ("no", "more", "than"): "at-most",
    ("as", "many", "as"): "at-most",
    ("as", "much", "as"): "at-most",
    ("a", "maximum", "of"): "at-most",
    ("about",): "about",
    ("around",): "about",
    ("roughly",): "about",
    ("some",): "about",
    ("approximately",): "about",
    ("approx",): "about",
    ("an", "estimated"): "about",
    ("estimated",): "about",
    ("more", "or", "less"): "about",
    ("nearly",): "nearly",
    ("almost",): "nearly",
    ("close", "to"): "nearly",
    ("just", "shy", "of"): "nearly",
    ("just", "over"): "just-over",
    ("just", "above"): "just-over",
    ("slightly", "more", "than"): "just-over",
}
_MAX_QUALIFIER_LEN = max(len(k) for k in _QUALIFIERS_BEFORE)
_QUALIFIER_LAST_WORDS = frozenset(k[-1] for k in _QUALIFIERS_BEFORE)

_CURRENCY_SYMBOLS: dict[str, str] = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_DOLLAR_PREFIXES: dict[str, str] = {
    "us": "USD",
    "a": "AUD",
    "au": "AUD",
    "c": "CAD",
    "ca": "CAD",
    "hk": "HKD",
    "nz": "NZD",
    "s": "SGD",
}
_CURRENCY_CODES: dict[str, str] = {
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "jpy": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "inr": "INR",
    "rs": "INR",
    "chf": "CHF",
    "rub": "RUB",
}
_CURRENCY_WORDS: dict[str, str] = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rupee": "INR",
    "rupees": "INR",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "shekel": "ILS",
    "shekels": "ILS",
    "francs": "CHF",
    "sterling": "GBP",
}
_CENT_WORDS = {"cent", "cents", "¢"}

# Units after a number: surface word -> (kind, canonical unit, factor to the canonical unit).
_UNITS: dict[str, tuple[str, str, float]] = {
    "%": ("percent", "percent", 1.0),
    "percent": ("percent", "percent", 1.0),
    "pc": ("percent", "percent", 1.0),
    "pct": ("percent", "percent", 1.0),
    "per-cent": ("percent", "percent", 1.0),
    "year": ("duration", "year", 1.0),
    "years": ("duration", "year", 1.0),
    "yr": ("duration", "year", 1.0),
    "yrs": ("duration", "year", 1.0),
    "year-old": ("duration", "year", 1.0),
    "years-old": ("duration", "year", 1.0),
    "decade": ("duration", "year", 10.0),
    "decades": ("duration", "year", 10.0),
    "century": ("duration", "year", 100.0),
    "centuries": ("duration", "year", 100.0),
    "month": ("duration", "month", 1.0),
    "months": ("duration", "month", 1.0),
    "week": ("duration", "week", 1.0),
    "weeks": ("duration", "week", 1.0),
    "day": ("duration", "day", 1.0),
    "days": ("duration", "day", 1.0),
    "hour": ("duration", "hour", 1.0),
    "hours": ("duration", "hour", 1.0),
    "hr": ("duration", "hour", 1.0),
    "hrs": ("duration", "hour", 1.0),
    "minute": ("duration", "minute", 1.0),
    "minutes": ("duration", "minute", 1.0),
    "min": ("duration", "minute", 1.0),
    "mins": ("duration", "minute", 1.0),
    "second": ("duration", "second", 1.0),
    "seconds": ("duration", "second", 1.0),
    "km": ("measure", "m", 1000.0),
    "kilometre": ("measure", "m", 1000.0),
    "kilometres": ("measure", "m", 1000.0),
    "kilometer": ("measure", "m", 1000.0),
    "kilometers": ("measure", "m", 1000.0),
    "metre": ("measure", "m", 1.0),
    "metres": ("measure", "m", 1.0),
    "meter": ("measure", "m", 1.0),
    "meters": ("measure", "m", 1.0),
    "m": ("measure", "m", 1.0),
    "cm": ("measure", "m", 0.01),
    "mm": ("measure", "m", 0.001),
    "mile": ("measure", "mile", 1.0),
    "miles": ("measure", "mile", 1.0),
    "foot": ("measure", "foot", 1.0),
    "feet": ("measure", "foot", 1.0),
    "ft": ("measure", "foot", 1.0),
    "inch": ("measure", "inch", 1.0),
    "inches": ("measure", "inch", 1.0),
    "kg": ("measure", "kg", 1.0),
    "kilogram": ("measure", "kg", 1.0),
    "kilograms": ("measure", "kg", 1.0),
    "kilo": ("measure", "kg", 1.0),
    "kilos": ("measure", "kg", 1.0),
    "gram": ("measure", "kg", 0.001),
    "grams": ("measure", "kg", 0.001),
    "tonne": ("measure", "kg", 1000.0),
    "tonnes": ("measure", "kg", 1000.0),
    "ton": ("measure", "ton", 1.0),
    "tons": ("measure", "ton", 1.0),
    "pound": ("measure", "lb", 1.0),
    "pounds": ("measure", "lb", 1.0),
    "lb": ("measure", "lb", 1.0),
    "lbs": ("measure", "lb", 1.0),
    "ounce": ("measure", "ounce", 1.0),
    "ounces": ("measure", "ounce", 1.0),
    "litre": ("measure", "litre", 1.0),
    "litres": ("measure", "litre", 1.0),
    "liter": ("measure", "litre", 1.0),
    "liters": ("measure", "litre", 1.0),
    "gallon": ("measure", "gallon", 1.0),
    "gallons": ("measure", "gallon", 1.0),
    "barrel": ("measure", "barrel", 1.0),
    "barrels": ("measure", "barrel", 1.0),
    "acre": ("measure", "acre", 1.0),
    "acres": ("measure", "acre", 1.0),
    "hectare": ("measure", "hectare", 1.0),
    "hectares": ("measure", "hectare", 1.0),
    "mph": ("measure", "mile/hour", 1.0),
    "kph": ("measure", "km/hour", 1.0),
    "mw": ("measure", "MW", 1.0),
    "megawatt": ("measure", "MW", 1.0),
    "megawatts": ("measure", "MW", 1.0),
    "gw": ("measure", "MW", 1000.0),
    "gigawatt": ("measure", "MW", 1000.0),
    "gigawatts": ("measure", "MW", 1000.0),
    "ghz": ("measure", "GHz", 1.0),
    "gigahertz": ("measure", "GHz", 1.0),
    "degree": ("measure", "degree", 1.0),
    "degrees": ("measure", "degree", 1.0),
    "point": ("measure", "point", 1.0),
    "points": ("measure", "point", 1.0),
    "pts": ("measure", "point", 1.0),
}
_DURATION_UNITS = {"year", "month", "week", "day", "hour", "minute", "second"}

# Words that stop the noun after a number ("23 warplanes, two ..."; "27 languages in 23").
_FUNCTION_WORDS = frozenset(
    _words(
        "a an the this that these those its their his her our your my whose which who whom "
        "what of in on at for to from by with without within across into onto over under "
        "since during after before between among against per via than as about around near "
        "toward towards and or but nor so yet while whereas if because although though unless "
        "until when where is are was were be been being am has have had will would can could "
        "may might must shall should do does did not no never n't also only just even still "
        "already now then there here more less fewer most least other another each every all "
        "both some any many much several such same own very too rather quite ago later "
        "earlier old high wide long deep tall apiece respectively alone it they them he she "
        "we you i me us him one ones"
    )
)
_AUXILIARIES = frozenset(
    _words(
        "is are was were be been being am has have had will would can could may might must "
        "shall should do does did 's 've 're 'd"
    )
)
_ADVERBS_TO_SKIP = frozenset(
    _words(
        "reportedly already now also still just so far since then only nearly roughly about "
        "officially allegedly previously recently initially originally finally altogether "
        "total a an the its their his her some all another further additional estimated"
    )
)
_CLAUSE_BREAKS = frozenset(
    [
        ",",
        ";",
        ":",
        "(",
        ")",
        "[",
        "]",
        '"',
        "“",
        "”",
        ".",
        "!",
        "?",
        "and",
        "but",
        "or",
        "while",
        "whereas",
        "which",
        "who",
        "that",
        "whom",
        "where",
        "when",
        "-",
        "if",
        "because",
        "although",
        "though",
    ]
)
_PREPOSITIONS = frozenset(
    _words(
        "of in on at for to from by with within across into over under since during after "
        "before between among against per via than toward towards"
    )
)
_LABEL_WORDS = frozenset(
    _words(
        "no no. number nos article articles resolution resolutions chapter section page pages "
        "room route highway flight gate platform level phase grade version paragraph clause "
        "item episode season series vol volume part act bill rule amendment channel line road "
        "street avenue apartment suite box unit floor row seat division district ward zone "
        "category class stage round match game week day"
    )
)
_PARTICLES = frozenset(["out", "up", "down", "off", "back", "away", "home"])

# Verbs and their lemma: the lemma names the measure ("people killed"). Groups of verbs that
# report the same thing share one lemma ("died" and "killed" are both "kill").
_PREDICATE_LEMMAS: dict[str, str] = {}
_PREDICATE_GROUPS: dict[str, list[str]] = {
    "kill": _words(
        "kill killed killing kills die died dies dying dead slain slay massacred massacre "
        "executed execute perished perish claimed"
    ),
    "injure": ["injure", "injured", "injuring", "injures", "wound", "wounded", "wounding", "hurt"],
    "displace": ["displace", "displaced", "displacing", "displaces", "uproot", "uprooted"],
    "flee": ["flee", "fled", "fleeing", "flees"],
    "withdraw": _words(
        "withdraw withdrew withdrawn withdrawing withdraws remove removed removing pull-out"
    ),
    "deploy": _words(
        "have has had send sent sending sends deploy deployed deploying deploys station "
        "stationed keep kept keeps maintain maintained maintains dispatch dispatched"
    ),
    "arrest": ["arrest", "arrested", "arresting", "detain", "detained", "detaining"],
    "rescue": ["rescue", "rescued", "rescuing"],
    "miss": ["missing"],
    "say": ["say", "said", "says", "saying", "tell", "told"],
    "evacuate": ["evacuate", "evacuated", "evacuating"],
    "employ": ["employ", "employed", "employs", "employing"],
    "cost": ["cost", "costs", "costing"],
    "pay": ["pay", "paid", "paying", "pays"],
    "earn": ["earn", "earned", "earning", "earns"],
    "win": ["win", "won", "winning", "wins"],
    "change-up": _words(
        "rise rose risen rising rises increase increased increasing increases grow grew grown "
        "growing grows gain gained gaining gains climb climbed climbing climbs jump jumped "
        "jumping jumps surge surged surging surges soar soared soaring soars up add added "
        "adds rally rallied advance advanced higher"
    ),
    "change-down": _words(
        "fall fell fallen falling falls drop dropped dropping drops decline declined "
        "declining declines decrease decreased decreasing decreases slip slipped slipping "
        "slips slump slumped slumping plunge plunged plunging plunges shed tumble tumbled "
        "sink sank sinking dip dipped dipping down lower"
    ),
}
for _lemma, _group in _PREDICATE_GROUPS.items():
    for _w in _group:
        _PREDICATE_LEMMAS[_w] = _lemma

# Verbs whose elided object or subject is people: "65 are missing and 750 rescued".
_PEOPLE_PREDICATES = frozenset(
    {"kill", "injure", "displace", "flee", "arrest", "rescue", "miss", "evacuate"}
)

_NOUN_SYNONYMS: dict[str, str] = {
    "person": "people",
    "persons": "people",
    "individual": "people",
    "resident": "people",
    "jet": "aircraft",
    "warplane": "aircraft",
    "plane": "aircraft",
    "airplane": "aircraft",
    "aeroplane": "aircraft",
    "fighter": "aircraft",
    "soldier": "troop",
    "serviceman": "troop",
    "servicemen": "troop",
    "war": "war",
    "conflict": "war",
    "fighting": "war",
    "death": "people",
    "fatality": "people",
    "casualty": "casualty",
    "dollar": "USD",
}
_IRREGULAR_PLURALS: dict[str, str] = {
    "people": "people",
    "men": "man",
    "women": "woman",
    "children": "child",
    "policemen": "policeman",
    "guardsmen": "guardsman",
    "servicemen": "serviceman",
    "firemen": "fireman",
    "gunmen": "gunman",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "aircraft": "aircraft",
    "news": "news",
    "series": "series",
    "species": "species",
    "data": "data",
    "media": "media",
    "crisis": "crisis",
    "analysis": "analysis",
    "bus": "bus",
    "status": "status",
}


def singular(word: str) -> str:
    """Crude singular of an English noun: "warplanes" -> "warplane", "casualties" -> "casualty"."""
    w = word.lower()
    if w in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def normalise_noun(word: str) -> str:
    """The measure name of a noun: singular, synonyms merged ("jets" -> "aircraft")."""
    s = singular(word)
    return _NOUN_SYNONYMS.get(s, s)


_IRREGULAR_VERBS: dict[str, str] = {
    "broke": "break",
    "broken": "break",
    "began": "begin",
    "begun": "begin",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "made": "make",
    "brought": "bring",
    "got": "get",
    "held": "hold",
    "went": "go",
    "came": "come",
    "saw": "see",
    "seen": "see",
    "left": "leave",
    "spent": "spend",
    "sold": "sell",
    "bought": "buy",
    "built": "build",
    "struck": "strike",
    "shot": "shoot",
    "fought": "fight",
    "drove": "drive",
    "driven": "drive",
    "ran": "run",
    "found": "find",
    "put": "put",
    "set": "set",
    "cut": "cut",
}


def predicate_lemma(word: str) -> str:
    """The lemma of a verb as the measure names it: "killed" -> "kill", "fled" -> "flee"."""
    w = word.lower()
    if w in _PREDICATE_LEMMAS:
        return _PREDICATE_LEMMAS[w]
    if w in _IRREGULAR_VERBS:
        return _IRREGULAR_VERBS[w]
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            stem = w[: -len(suffix)]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            return stem
    return w


def _is_verb_like(tok: Token) -> bool:
    w = tok.lower
    if w in _PREDICATE_LEMMAS and w not in {"up", "down", "higher", "lower", "dead"}:
        return True
    if not w.isalpha() or tok.text[:1].isupper():
        return False
    return len(w) >= 5 and (w.endswith("ed") or w.endswith("ing"))


def _is_content_word(tok: Token) -> bool:
    return tok.is_word and tok.lower not in _FUNCTION_WORDS


# ---------------------------------------------------------------------------------------------
# Intervals


def _rounding_band(m: NumberMention, value: float) -> tuple[float, str]:
    """Half-width of the band a bare number allows, and the tolerance row it comes from."""
    if m.form == "dozen":
        return 2.0, "dozen"
    if m.form == "fraction":
        return abs(value) * _ABOUT_SPREAD, "fraction"
    if m.form == "scaled" or (m.form == "words" and m.grain >= 1000):
        half = m.grain / 2 if m.grain else 0.0
        return min(half, abs(value) * _TOLERANCE_CAP), "rounded-scaled"
    if m.form == "words":
        if value >= 100 and m.grain:
            return min(m.grain / 2, abs(value) * _TOLERANCE_CAP), "rounded"
        return 0.0, "exact-small"
    # Digits without scale.
    if abs(value) < 100 and value == int(value):
        return 0.0, "exact-small"
    if value != int(value) or m.grain < 10:
        return 0.0, "exact-precise"
    return min(m.grain / 2, abs(value) * _TOLERANCE_CAP), "rounded"


def _interval_for(
    m: NumberMention, qualifier_rule: str | None, factor: float
) -> tuple[Interval, str]:
    """The interval a number with its qualifier allows (values multiplied by the unit factor)."""
    low, high = m.value * factor, m.high * factor
    inf = math.inf
    if m.form == "vague":
        if qualifier_rule in {"more-than", "at-least"}:
            return Interval(low, inf, low_open=qualifier_rule == "more-than"), qualifier_rule
        if qualifier_rule in {"less-than", "at-most"}:
            return Interval(-inf, high, high_open=True), qualifier_rule
        return Interval(low, high, high_open=True), "vague"
    band_low, row = _rounding_band(m, m.value)
    band_high = _rounding_band(m, m.high)[0] if m.high != m.value else band_low
    band_low, band_high = band_low * abs(factor), band_high * abs(factor)
    if high != low and qualifier_rule is None:
        return Interval(low - band_low, high + band_high), "range"
    if qualifier_rule is None:
        return Interval(low - band_low, high + band_high), row
    if qualifier_rule == "more-than":
        return Interval(low, inf, low_open=True), qualifier_rule
    if qualifier_rule == "at-least":
        return Interval(low, inf), qualifier_rule
    if qualifier_rule == "less-than":
        return Interval(-inf, high, high_open=True), qualifier_rule
    if qualifier_rule == "at-most":
        return Interval(-inf, high), qualifier_rule
    if qualifier_rule == "about":
        spread = max(abs(low) * _ABOUT_SPREAD, band_low)
        spread_high = max(abs(high) * _ABOUT_SPREAD, band_high)
        return Interval(low - spread, high + spread_high), qualifier_rule
    if qualifier_rule == "nearly":
        return Interval(low - abs(low) * _ABOUT_SPREAD, high), qualifier_rule
    if qualifier_rule == "just-over":
        return Interval(low, high + abs(high) * _ABOUT_SPREAD, low_open=True), qualifier_rule
    return Interval(low - band_low, high + band_high), row


# ---------------------------------------------------------------------------------------------
# Extraction


@dataclass(slots=True)
class _Draft:
    """Mutable working state for one quantity while its context is read."""

    mention: NumberMention
    first: int  # first token of the whole span (qualifier, currency)
    last: int  # last token of the whole span (unit, noun)
    kind: str = "count"
    unit: str | None = None
    factor: float = 1.0
    qualifier: str | None = None
    qualifier_rule: str | None = None
    noun: str | None = None
    noun_token: int | None = None
    modifiers: tuple[str, ...] = ()
    predicate: str | None = None
    subject: str | None = None
    context: str | None = None
    negated: bool = False
    direction: str | None = None
    role: str | None = None
    high_mention: NumberMention | None = None


def extract_quantities(sentence: str) -> list[Quantity]:
    """All quantities stated in one sentence (dates, years, times, names excluded)."""
    if not sentence or not sentence.strip():
        return []
    text = normalise_text(sentence)
    tokens = tokenize(text)
    excluded = sorted((d.start, d.end) for d in find_date_mentions(text))
    excluded_starts = [s for s, _ in excluded]

    def in_excluded(start: int, end: int) -> bool:
        # Spans do not overlap, so only the last one starting before `end` can cover the range.
        k = bisect.bisect_left(excluded_starts, end) - 1
        return k >= 0 and excluded[k][1] > start

    drafts: list[_Draft] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if in_excluded(tok.start, tok.end) or not (tok.is_number or tok.is_word):
            i += 1
            continue
        currency, cur_first = _currency_before(tokens, i)
        mention = parse_number_at(tokens, i, after_currency=currency is not None)
        if mention is None or _is_label(tokens, mention, text, currency is not None):
            i += 1
            continue
        if in_excluded(mention.start, mention.end):
            i += 1
            continue
        draft = _Draft(mention=mention, first=cur_first if currency else i, last=mention.last_token)
        if currency is not None:
            draft.kind, draft.unit = "money", currency
        if mention.form == "ordinal":
            # Only "the fifth anniversary" is a quantity (5 years); other ordinals are ranks.
            nxt = tokens[mention.last_token + 1].lower if mention.last_token + 1 < n else ""
            if nxt not in {"anniversary", "birthday"}:
                i += 1
                continue
            draft.kind, draft.unit, draft.noun = "duration", "year", "anniversary"
            draft.last = mention.last_token + 1
        elif not _read_after(tokens, draft):
            i += 1
            continue
        _read_before(tokens, draft)
        drafts.append(draft)
        i = max(draft.last, draft.mention.last_token, (draft.high_mention or mention).last_token)
        i += 1
    _resolve_roles(tokens, drafts)
    return [_finish(text, sentence, tokens, d) for d in drafts]


def _currency_before(tokens: list[Token], i: int) -> tuple[str | None, int]:
    """The currency written just before token i ("$", "US$", "£", "Rs", "EUR"), also before a
    qualifier ("$ more than 700")."""
    if i == 0:
        return None, i
    if tokens[i - 1].lower not in _QUALIFIER_LAST_WORDS:  # the usual case: no qualifier
        return _currency_before_plain(tokens, i)
    for length in range(_MAX_QUALIFIER_LEN, 0, -1):
        phrase = tuple(t.lower for t in tokens[max(0, i - length) : i])
        if len(phrase) == length and phrase in _QUALIFIERS_BEFORE and i - length > 0:
            code, _ = _currency_before_plain(tokens, i - length)
            if code is not None:
                return code, i
    return _currency_before_plain(tokens, i)


def _currency_before_plain(tokens: list[Token], i: int) -> tuple[str | None, int]:
    if i == 0:
        return None, i
    prev = tokens[i - 1]
    if prev.text in _CURRENCY_SYMBOLS:
        code = _CURRENCY_SYMBOLS[prev.text]
        first = i - 1
        if prev.text == "$" and i >= 2 and tokens[i - 2].lower in _DOLLAR_PREFIXES:
            code = _DOLLAR_PREFIXES[tokens[i - 2].lower]
            first = i - 2
        return code, first
    if prev.lower.rstrip(".") in _CURRENCY_CODES and prev.text[:1].isupper():
        return _CURRENCY_CODES[prev.lower.rstrip(".")], i - 1
    return None, i


def _is_label(tokens: list[Token], m: NumberMention, text: str, has_currency: bool) -> bool:
    """Numbers that name rather than count: "Su-24", "G20", "Resolution 2254", "Apollo 16",
    "9 th", phone-like digit strings."""
    i = m.first_token
    tok = tokens[i]
    if tok.is_number:
        if i > 0:
            prev = tokens[i - 1]
            if prev.end == tok.start and prev.is_word:
                return True  # G20, A320
            if (
                prev.text == "-"
                and prev.end == tok.start
                and i > 1
                and tokens[i - 2].end == prev.start
                and tokens[i - 2].is_word
            ):
                return True  # Su-24, COVID-19
            if prev.lower.rstrip(".") in _LABEL_WORDS and not has_currency:
                return True
            if (
                not has_currency
                and prev.is_word
                and prev.text[:1].isupper()
                and i >= 2
                and tokens[i - 2].text not in {".", "!", "?", '"', "“"}
                and prev.lower not in {"us", "rs"}
                and not _starts_sentence(tokens, i - 1)
                and not (
                    m.last_token + 1 < len(tokens)
                    and tokens[m.last_token + 1].lower in _UNITS
                    and tokens[m.last_token + 1].lower not in {"m", "point", "points"}
                )
            ):
                return True  # Apollo 16, S&P 500, Windows 10
        nxt = tokens[m.last_token + 1] if m.last_token + 1 < len(tokens) else None
        if nxt is not None and nxt.start == tokens[m.last_token].end and nxt.is_word:
            w = nxt.lower
            if w in {"st", "nd", "rd", "th"}:
                after = tokens[m.last_token + 2].lower if m.last_token + 2 < len(tokens) else ""
                return after not in {"anniversary", "birthday"}
            if w not in _UNITS:
                return True  # 3D, 4G, 10am (scales such as "bn" are already in the mention)
        if nxt is not None and nxt.is_word and nxt.lower in {"st", "nd", "rd", "th"}:
            return True  # "9 th", "17 th" (tokenised apart)
        if tok.text.startswith("0") and len(tok.text) > 1 and "." not in tok.text:
            return True  # 007, 0800
    return False


def _starts_sentence(tokens: list[Token], i: int) -> bool:
    return i == 0 or tokens[i - 1].text in {".", "!", "?", '"', "“", ":", "•"}


def _read_after(tokens: list[Token], d: _Draft) -> bool:
    """Read range, unit, rate, noun and elided-noun verb after the number. False to drop it."""
    n = len(tokens)
    m = d.mention
    k = m.last_token + 1
    # "X-Y" with Y smaller than X is a score ("won 3-1"): neither number is a quantity.
    if (
        k + 1 < n
        and tokens[k].text == "-"
        and tokens[k].start == tokens[k - 1].end
        and tokens[k + 1].start == tokens[k].end
        and tokens[k + 1].is_number
    ):
        other = parse_number_at(tokens, k + 1, after_currency=d.kind == "money")
        if other is not None and m.form == "digits" and other.value < m.value:
            d.last = other.last_token
            return False
    # Unit glued by a hyphen: "8,568-meter", "25-member", "five-year" (hint from the word).
    hint = m.unit_hint
    if (
        hint is None
        and k + 1 < n
        and tokens[k].text == "-"
        and tokens[k + 1].is_word
        and (
            (tokens[k].start == tokens[k - 1].end and tokens[k + 1].start == tokens[k].end)
            or tokens[k + 1].lower in _UNITS
        )
    ):
        hint = tokens[k + 1].lower
        k += 2
    if hint is not None:
        head = hint.split("-")[0]
        if head in _UNITS and d.kind != "money":
            d.kind, d.unit, d.factor = _UNITS[head]
        elif head in {"plus"}:
            d.qualifier, d.qualifier_rule = "plus", "at-least"
        else:
            d.noun = normalise_noun(head)
            d.noun_token = k - 1
        rest = hint.split("-")[1:]
        if rest and rest[-1] not in {"old", "long", "high", "wide", "deep", "tall"}:
            d.modifiers = ()
        d.last = k - 1 if m.unit_hint is None else m.last_token
    # Ranges: "10-20", "10 to 20 billion", "between 10 and 20", "5 % to 10 %".
    k = _read_range(tokens, d, k)
    if d.unit is None or d.kind == "money":
        k = _read_unit(tokens, d, k)
    # Qualifiers written after: "50 or more", "50-plus", "50+", "or so".
    if (
        k + 1 < n
        and tokens[k].lower == "or"
        and tokens[k + 1].lower in {"more", "so", "fewer", "less"}
    ):
        rule = {"more": "at-least", "so": "about", "fewer": "at-most", "less": "at-most"}
        d.qualifier = f"or {tokens[k + 1].lower}"
        d.qualifier_rule = rule[tokens[k + 1].lower]
        d.last = k + 1
        k += 2
    elif k < n and tokens[k].text == "+" and tokens[k].start == tokens[k - 1].end:
        d.qualifier, d.qualifier_rule, d.last = "+", "at-least", k
        k += 1
    if d.noun is None:
        k = _read_noun(tokens, d, k)
    # Rates: "8 hours a day", "38 cents per share", "60 miles per hour".
    if k + 1 < n and tokens[k].lower in {"per", "a", "an", "each"} and tokens[k + 1].is_word:
        per = tokens[k + 1].lower
        if per in _UNITS or tokens[k].lower == "per" or per in {"share", "capita", "head"}:
            per_unit = _UNITS[per][1] if per in _UNITS else singular(per)
            d.unit = f"{d.unit or d.noun or 'count'}/{per_unit}"
            d.last = k + 1
    return True


def _read_range(tokens: list[Token], d: _Draft, k: int) -> int:
    n = len(tokens)
    m = d.mention
    if m.form not in {"digits", "scaled", "words"} or k >= n:
        return k
    unit_skip = k
    if tokens[k].lower in _UNITS and _UNITS[tokens[k].lower][0] == "percent":
        unit_skip = k + 1
    if unit_skip >= n:
        return k
    joiner = tokens[unit_skip].lower
    before = tokens[m.first_token - 1].lower if m.first_token > 0 else ""
    if d.first > 0 and tokens[d.first - 1].lower in {"$", "£", "€"} and d.first >= 2:
        before = tokens[d.first - 2].lower
    if joiner == "and" and before != "between":
        return k
    if joiner == "to" and before == "from":
        return k
    if joiner == "-":
        glued = tokens[unit_skip].start == tokens[unit_skip - 1].end
        if not glued or unit_skip + 1 >= n or tokens[unit_skip + 1].start != tokens[unit_skip].end:
            return k
    elif joiner not in {"to", "and"}:
        return k
    j = unit_skip + 1
    if j < n and tokens[j].text in _CURRENCY_SYMBOLS:
        j += 1
    if j >= n:
        return k
    other = parse_number_at(tokens, j, after_currency=d.kind == "money")
    if other is None or other.form not in {"digits", "scaled", "words"}:
        return k
    low_value = m.value
    if other.form == "scaled" and m.form == "digits":
        scale = other.value / float(tokens[other.first_token].text.replace(",", ""))
        if scale > 1 and m.value * scale <= other.value:
            low_value = m.value * scale
    if not low_value < other.value:
        return k
    low_grain = m.grain * (low_value / m.value) if m.value else m.grain
    d.mention = NumberMention(
        start=m.start,
        end=other.end,
        text=m.text,
        value=low_value,
        high=other.value,
        grain=min(low_grain, other.grain) if low_grain and other.grain else 0.0,
        form=other.form if other.form == "scaled" else m.form,
        first_token=m.first_token,
        last_token=other.last_token,
        unit_hint=m.unit_hint,
    )
    d.high_mention = other
    d.last = other.last_token
    return other.last_token + 1


def _read_unit(tokens: list[Token], d: _Draft, k: int) -> int:
    n = len(tokens)
    if k >= n:
        return k
    w = tokens[k].lower
    w2 = tokens[k + 1].lower if k + 1 < n else ""
    if d.kind == "money":
        if w in {"dollars", "dollar"} or (w in _CURRENCY_WORDS and _CURRENCY_WORDS[w] == d.unit):
            d.last = k
            return k + 1
        return k
    if w in {"per", "percentage"} and w2 in {"cent", "point", "points"}:
        d.kind = "percent"
        d.unit = "percent" if w2 == "cent" else "percentage point"
        d.last = k + 1
        return k + 2
    if w in _CURRENCY_WORDS:
        d.kind, d.unit, d.last = "money", _CURRENCY_WORDS[w], k
        return k + 1
    if w in _CENT_WORDS:
        d.kind, d.unit, d.factor, d.last = "money", "USD", 0.01, k
        return k + 1
    if w in _CURRENCY_CODES and tokens[k].text.isupper():
        d.kind, d.unit, d.last = "money", _CURRENCY_CODES[w], k
        return k + 1
    if w in _UNITS:
        kind, unit, factor = _UNITS[w]
        if w == "m" and tokens[k].start != tokens[k - 1].end:
            return k  # a spaced "m" is too ambiguous (million, metres, minutes)
        if w in {"second", "point"} and d.mention.form == "ordinal":
            return k
        d.kind, d.unit, d.factor, d.last = kind, unit, factor, k
        k += 1
        if unit in {"mile", "m"} and k + 1 < n and tokens[k].lower == "per":
            per = tokens[k + 1].lower
            if per in _UNITS and _UNITS[per][0] == "duration":
                d.unit = f"{unit}/{_UNITS[per][1]}"
                d.last = k + 1
                k += 2
        # "64 per cent" handled above; "6 years old" keeps the noun that follows.
        if k < n and tokens[k].lower == "old" and d.kind == "duration":
            k += 1
        return k
    return k


def _read_noun(tokens: list[Token], d: _Draft, k: int) -> int:
    """The counted noun after the number, an "of the N" part-of, or an elided noun's verb."""
    n = len(tokens)
    m = d.mention
    if k < n and tokens[k].lower == "of":
        j = k + 1
        while j < n and tokens[j].lower in {"the", "their", "its", "his", "her", "our", "all"}:
            j += 1
        if j < n and (tokens[j].is_number or parse_number_at(tokens, j) is not None):
            # "12 of the 300 passengers": the noun is the total's; this is a part of it.
            total = parse_number_at(tokens, j)
            if total is not None and total.form in {"digits", "words", "scaled"}:
                d.role = "part"
                run_end, noun, mods = _noun_run(tokens, total.last_token + 1)
                if noun is not None:
                    d.noun, d.modifiers = noun, mods
                return k
        if m.form in {"vague", "fraction", "dozen"} or d.kind in {"percent", "measure"}:
            k = j
    elif m.form == "fraction" and k < n and tokens[k].lower in {"the", "their", "its"}:
        k += 1
    elif d.kind == "money" and k + 1 < n and tokens[k].lower == "in" and tokens[k + 1].is_word:
        # "$60m in damages", "$5.1 billion in aid": what the money is.
        run_end, noun, mods = _noun_run(tokens, k + 1)
        if noun is not None:
            d.noun, d.modifiers = noun, mods
            d.noun_token = run_end - 1
            d.last = max(d.last, run_end - 1)
            return run_end
    if m.form == "fraction" and d.kind == "count":
        d.kind, d.unit, d.factor = "percent", "percent", 100.0
    run_end, noun, mods = _noun_run(tokens, k)
    if noun is not None:
        d.noun, d.modifiers = noun, mods
        d.noun_token = run_end - 1
        d.last = max(d.last, run_end - 1)
        return run_end
    if k < n and tokens[k].lower in {"others", "more"}:
        d.noun = "others"
        d.last = k
        return k + 1
    return k


def _noun_run(tokens: list[Token], k: int) -> tuple[int, str | None, tuple[str, ...]]:
    """The noun phrase starting at token k: (end index, normalised head, lower-case modifiers)."""
    n = len(tokens)
    run: list[Token] = []
    j = k
    while j < n and len(run) < 4:
        t = tokens[j]
        if not t.is_word or t.lower in _FUNCTION_WORDS or (t.lower in _UNITS and run):
            break
        if t.lower in _PREDICATE_LEMMAS and _PREDICATE_LEMMAS[t.lower] != "deploy" and run:
            break
        run.append(t)
        j += 1
    # A verb is not a noun: "750 rescued", "65 are missing", "people killed".
    while run and (_is_verb_like(run[-1]) or run[-1].lower in {"dead", "missing"}):
        run.pop()
        j = k + len(run)
    if not run:
        return k, None, ()
    head = run[-1]
    if head.text[:1].isupper() and all(t.text[:1].isupper() for t in run):
        return k, None, ()  # "Kanchenjunga Expedition": a name, not a counted noun
    mods = tuple(t.lower for t in run[:-1] if not t.text[:1].isupper())
    return j, normalise_noun(head.text), mods


def _read_before(tokens: list[Token], d: _Draft) -> None:
    """Read qualifier, negation, verb, subject and direction before the number."""
    j = d.first - 1
    # Qualifier.
    for length in range(_MAX_QUALIFIER_LEN, 0, -1):
        if j - length + 1 < 0:
            continue
        phrase = tuple(t.lower for t in tokens[j - length + 1 : j + 1])
        if phrase in _QUALIFIERS_BEFORE:
            if phrase == ("some",) and d.mention.form in {"vague", "fraction"}:
                continue
            if d.qualifier is None:
                d.qualifier = " ".join(t.text for t in tokens[j - length + 1 : j + 1])
                d.qualifier_rule = _QUALIFIERS_BEFORE[phrase]
            d.first = j - length + 1
            j -= length
            break
    # "up 3%" / "down 3%": a direction written just before the number.
    if j >= 0 and tokens[j].lower in {"up", "down"} and d.kind == "percent":
        d.direction = "up" if tokens[j].lower == "up" else "down"
        d.predicate = "change"
        j -= 1
    # Negation within a few words before: "not more than 10%", "did not kill 50 people".
    for t in tokens[max(0, j - 3) : j + 1]:
        w = t.lower
        if w in {"not", "never", "nor", "neither"} or w.endswith("n't"):
            d.negated = True
    if d.qualifier is not None and d.qualifier.lower().startswith("not "):
        d.negated = d.qualifier.lower() != "not less than"
        if d.negated:
            d.qualifier_rule = None
    # Verb (predicate), preposition and subject.
    aux: str | None = None
    particle: str | None = None
    preps: list[str] = []
    window = {t.lower for t in tokens[max(0, j - 3) : j + 1]}
    if "average" in window or "mean" in window or "median" in window:
        d.role = d.role or "average"  # "an average of 200 patients" is not a total
    steps = 0
    while j >= 0 and steps < 7:
        t = tokens[j]
        w = t.lower
        steps += 1
        if w in _CLAUSE_BREAKS or t.text in _CLAUSE_BREAKS:
            break
        if w in _PARTICLES and j >= 1 and _is_verb_like_base(tokens[j - 1]):
            particle = w
            j -= 1
            continue
        if w in _AUXILIARIES or w in {"'s"}:
            aux = aux or w
            j -= 1
            continue
        if d.predicate is None and (_is_verb_like(t) or (particle and _is_verb_like_base(t))):
            verb = predicate_lemma(w)
            if particle is not None:
                verb = _PREDICATE_LEMMAS.get(f"{verb}-{particle}", f"{verb} {particle}")
            _set_predicate(d, verb)
            j -= 1
            continue
        if w in _PREPOSITIONS or w in _ADVERBS_TO_SKIP or not t.is_word:
            if w in _PREPOSITIONS and d.predicate is None:
                preps.append(w)
            j -= 1
            continue
        if _is_content_word(t):
            if d.predicate is None:
                if aux in {"has", "have", "had"}:
                    _set_predicate(d, "deploy")
                d.context = d.context or singular(w)
            d.subject = singular(w)
            break
        j -= 1
    if d.predicate is None and aux in {"has", "have", "had"}:
        _set_predicate(d, "deploy")
    if d.predicate == "change" and d.role is None and "to" in preps:
        d.role = "to"  # "increased to 547,000" is the new level, "increased by 65,000" the change


def _is_verb_like_base(tok: Token) -> bool:
    w = tok.lower
    return (
        _is_verb_like(tok)
        or w in {"pull", "pulled", "pulling", "carry", "carried", "break"}
        or (w in {"broke", "take", "took", "bring", "brought", "set", "cut", "wipe", "wiped"})
    )


def _set_predicate(d: _Draft, lemma: str) -> None:
    if lemma == "change-up":
        d.predicate, d.direction = "change", "up"
    elif lemma == "change-down":
        d.predicate, d.direction = "change", "down"
    else:
        d.predicate = lemma


def _read_forward_predicate(tokens: list[Token], d: _Draft) -> None:
    """A verb after the noun: "people were killed", "two U.S. officials said", "750 rescued"."""
    j = d.last + 1
    steps = 0
    n = len(tokens)
    while j < n and steps < 4:
        t = tokens[j]
        w = t.lower
        steps += 1
        if w in {"not", "never"} or w.endswith("n't"):
            d.negated = True
            j += 1
            continue
        if w in _AUXILIARIES or w in _ADVERBS_TO_SKIP or w in {"reportedly", "allegedly"}:
            j += 1
            continue
        if _is_verb_like(t) or w in {"dead", "missing"}:
            _set_predicate(d, predicate_lemma(w) if w != "dead" else "kill")
        return


def _resolve_roles(tokens: list[Token], drafts: list[_Draft]) -> None:
    """Part/total, from/to and "ago" roles, elided nouns and verbs after the noun."""
    for idx, d in enumerate(drafts):
        before = tokens[d.first - 1].lower if d.first > 0 else ""
        after = tokens[d.last + 1].lower if d.last + 1 < len(tokens) else ""
        if before == "from":
            d.role = "from"
        elif before == "to" and idx > 0 and drafts[idx - 1].role == "from":
            d.role = "to"
        if d.kind == "duration" and after == "ago":
            d.role = "ago"
        if d.role is None and d.first >= 2 and tokens[d.first - 1].lower in {"the", "of"}:
            prev = drafts[idx - 1] if idx > 0 else None
            if prev is not None and prev.role == "part" and prev.last >= d.first - 3:
                d.role = "total"
        if d.predicate is None or d.predicate == "deploy":
            saved = d.predicate
            d.predicate = None
            _read_forward_predicate(tokens, d)
            if d.predicate is None:
                d.predicate = saved
        if d.predicate is None and idx > 0 and d.first > 0:
            # "$10m in compensation and $50m in damages": coordinated amounts share the verb.
            prev = drafts[idx - 1]
            joiner = tokens[d.first - 1].lower
            if joiner in {"and", ",", "or"} and prev.last >= d.first - 6 and prev.kind == d.kind:
                d.predicate, d.subject = prev.predicate, d.subject or prev.subject
                d.direction = d.direction or prev.direction
        if d.noun is None and d.kind == "count" and d.predicate in _PEOPLE_PREDICATES:
            d.noun = "people"
        if d.noun == "others":
            prev_nouns = [p.noun for p in drafts[:idx] if p.noun and p.kind == d.kind]
            d.noun = (
                prev_nouns[-1]
                if prev_nouns
                else ("people" if d.predicate in _PEOPLE_PREDICATES else None)
            )


def _finish(text: str, original: str, tokens: list[Token], d: _Draft) -> Quantity:
    start = tokens[d.first].start
    end = tokens[max(d.last, d.mention.last_token)].end
    m = d.mention
    interval, rule = _interval_for(m, d.qualifier_rule, d.factor)
    return Quantity(
        text=original[start:end],
        start=start,
        end=end,
        value=m.value * d.factor,
        interval=interval,
        kind=d.kind,
        unit=d.unit,
        noun=d.noun,
        predicate=d.predicate,
        qualifier=d.qualifier,
        tolerance=rule,
        negated=d.negated,
        direction=d.direction,
        role=d.role,
        modifiers=d.modifiers,
        subject=d.subject,
        context=d.context,
        slot=_slot(tokens, d),
    )


def _slot(tokens: list[Token], d: _Draft) -> str:
    """The two words before the quantity (qualifier excluded) and the one after it."""
    first = d.first
    while first > 0 and tokens[first - 1].text in _CURRENCY_SYMBOLS:
        first -= 1
    before = [t.lower for t in tokens[max(0, first - 2) : first]]
    end = max(d.last, d.mention.last_token) + 1
    after = tokens[end].lower if end < len(tokens) else "</s>"
    return " ".join([*before, "_", after])
