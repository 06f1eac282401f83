"""Quantities in news sentences: numbers with their qualifiers, read as intervals.

`extract_quantities` finds every number that states an amount (dates, years, times, phone
numbers, labels such as "Su-24" or "Resolution 2254" and ordinals in names are skipped) and
reads around it: the qualifier ("more than"), the unit or currency, the counted noun, the verb
("killed"), negation, part-of and from/to roles, and the direction of a change. The number and
its qualifier become an `Interval` through the rules of `app.core.tolerance`; the words it
reads by come from `app.core.lexicon`.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from dataclasses import dataclass

from app.core.dates import DateMention, find_date_mentions
from app.core.interval import Interval
from app.core.lemmas import (
    is_inflected_verb,
    is_known_word,
    normalise_noun,
    predicate_lemma,
    singular,
)
from app.core.lexicon import (
    ADVERBS_TO_SKIP,
    AUXILIARIES,
    CENT_WORDS,
    CLAUSE_BREAKS,
    CONTRAST_MODIFIERS,
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    DOLLAR_PREFIXES,
    FUNCTION_WORDS,
    LABEL_VERB_CUES,
    LABEL_WORDS,
    MAX_QUALIFIER_LEN,
    NOT_NAMES,
    PARTICLES,
    PEOPLE_PREDICATES,
    PREDICATE_LEMMAS,
    PREPOSITIONS,
    QUALIFIER_LAST_WORDS,
    QUALIFIERS_BEFORE,
    REPORTING_WORDS,
    UNITS,
)
from app.core.numbers import (
    NumberMention,
    Token,
    normalise_text,
    parse_digits,
    parse_number_at,
    tokenize,
)
from app.core.places import MAX_PLACE_WORDS, first_place_words, place_of
from app.core.tolerance import interval_for


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity stated in a sentence, with what it measures."""

    text: str  # the span as written: "more than 270,000 people"
    start: int  # character offsets of the span in the sentence
    end: int
    value: float  # the number as stated: 270000.0 (the low end for ranges)
    interval: Interval  # what the statement allows once qualifier and rounding are read
    kind: str  # "count" | "money" | "percent" | "duration" | "measure" | "rating" | "date"
    unit: str | None  # normalised unit or currency: "USD", "percent", "year", "point"...
    noun: str | None  # what is counted, normalised: "people", "warplane"
    predicate: str | None  # what happened to it, lemma: "kill", "displace", "withdraw"
    qualifier: str | None  # "more than", "about", ... as written (None if bare)
    tolerance: str = "exact-small"  # the TOLERANCE_TABLE row that gave the interval
    negated: bool = False  # "did not kill 50", "not more than 10%": not asserted
    direction: str | None = None  # "up" | "down" for changes ("rose 3%", "fell 3%")
    # "part" | "total" | "from" | "to" | "ago" | "average" | "each" | "additional" (None: plain)
    role: str | None = None
    modifiers: tuple[str, ...] = ()  # lower-case words before the noun: ("punitive",)
    subject: str | None = None  # the word the sentence says it of, when found: "dow", "russia"
    context: str | None = None  # nearest content word before, when no verb was found
    slot: str | None = None  # the words around the number: "coded as _ and"
    names: tuple[str, ...] = ()  # proper names in its clause, lower case: ("acme holdings",)
    places: tuple[str, ...] = ()  # places in its clause, canonical: ("mosul",)
    scope: str | None = None  # the subgroup it is said of: "among young people", "on steel"


def _is_verb_like(tok: Token) -> bool:
    w = tok.lower
    if w in PREDICATE_LEMMAS and w not in {"up", "down", "higher", "lower", "dead"}:
        return True
    if not w.isalpha() or tok.text[:1].isupper():
        return False
    return (len(w) >= 5 and (w.endswith("ed") or w.endswith("ing"))) or is_inflected_verb(w)


def _is_content_word(tok: Token) -> bool:
    return tok.is_word and tok.lower not in FUNCTION_WORDS


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
    scope: str | None = None


def extract_quantities(sentence: str, dates: list[DateMention] | None = None) -> list[Quantity]:
    """All quantities stated in one sentence (dates, years, times, names excluded); ``dates``
    are its date mentions when the caller has found them already."""
    if not sentence or not sentence.strip():
        return []
    text = normalise_text(sentence)
    if dates is None:
        dates = find_date_mentions(text)
    headline = _is_headline_case(text)
    if headline:
        # "City Council Approves $75 Million Budget": read as sentence case, or every word is
        # taken for a name. Lower-casing keeps offsets (characters whose lower case is longer
        # are left as they are).
        text = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    tokens = tokenize(text)
    excluded = sorted((d.start, d.end) for d in dates)
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
        if mention.value < 0 and not currency and i > 0 and tokens[i - 1].text == "-":
            draft.first = i - 1  # the minus sign is part of the span: "−5 degrees"
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
            i = max(i + 1, draft.last + 1)  # "won 3-1": past the score's second number
            continue
        _read_before(tokens, draft)
        drafts.append(draft)
        i = max(draft.last, draft.mention.last_token, (draft.high_mention or mention).last_token)
        i += 1
    _resolve_roles(tokens, drafts)
    claimed_dates = any(d.value_of is not None or d.qualifier is not None for d in dates)
    # Most sentences state no number: their names are not needed.
    names = _name_runs(tokens, headline) if drafts or claimed_dates else []
    quantities: list[Quantity] = [
        _finish(
            text,
            sentence,
            tokens,
            d,
            names,
            drafts[k - 1].last + 1 if k > 0 else 0,
            drafts[k + 1].first - 1 if k + 1 < len(drafts) else len(tokens) - 1,
        )
        for k, d in enumerate(drafts)
    ]
    quantities = _inherit_subject(quantities, drafts, names)
    quantities.extend(_temporal_quantities(sentence, tokens, dates, names))
    quantities.sort(key=lambda q: q.start)
    return quantities


def _currency_before(tokens: list[Token], i: int) -> tuple[str | None, int]:
    """The currency written just before token i ("$", "US$", "£", "Rs", "EUR"), also before a
    qualifier ("$ more than 700")."""
    if i == 0:
        return None, i
    if tokens[i - 1].lower not in QUALIFIER_LAST_WORDS:  # the usual case: no qualifier
        return _currency_before_plain(tokens, i)
    for length in range(MAX_QUALIFIER_LEN, 0, -1):
        phrase = tuple(t.lower for t in tokens[max(0, i - length) : i])
        if len(phrase) == length and phrase in QUALIFIERS_BEFORE and i - length > 0:
            code, _ = _currency_before_plain(tokens, i - length)
            if code is not None:
                return code, i
    return _currency_before_plain(tokens, i)


def _currency_before_plain(tokens: list[Token], i: int) -> tuple[str | None, int]:
    if i == 0:
        return None, i
    prev = tokens[i - 1]
    if prev.text in CURRENCY_SYMBOLS:
        code = CURRENCY_SYMBOLS[prev.text]
        first = i - 1
        if prev.text == "$" and i >= 2 and tokens[i - 2].lower in DOLLAR_PREFIXES:
            code = DOLLAR_PREFIXES[tokens[i - 2].lower]
            first = i - 2
        return code, first
    if prev.lower.rstrip(".") in CURRENCY_CODES and prev.text[:1].isupper():
        return CURRENCY_CODES[prev.lower.rstrip(".")], i - 1
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
            if (
                prev.lower.rstrip(".") in LABEL_WORDS
                and not has_currency
                and not (i > 1 and tokens[i - 2].lower in LABEL_VERB_CUES)
            ):
                return True
            if prev.text == "#":
                return True  # "# 2 on the chart": a rank
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
                    and tokens[m.last_token + 1].lower in UNITS
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
            if w not in UNITS:
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
    # Ratings and scores: "6.8/10", "87 out of 100": a value on a scale, compared only with a
    # value on the same scale.
    scale_at = k + 1 if k + 1 < n and tokens[k].text == "/" else None
    if k + 2 < n and tokens[k].lower == "out" and tokens[k + 1].lower == "of":
        scale_at = k + 2
    if scale_at is not None and tokens[scale_at].is_number and m.form == "digits":
        scale = parse_digits(tokens[scale_at].text)
        glued = scale_at == k + 2 or tokens[k].start == tokens[k - 1].end
        if glued and scale is not None and scale[0] in {5, 10, 20, 100} and m.value <= scale[0]:
            d.kind, d.unit, d.role, d.last = "rating", f"/{int(scale[0])}", "rating", scale_at
            return True
    # Unit glued by a hyphen: "8,568-meter", "25-member", "five-year" (hint from the word).
    hint = m.unit_hint
    if (
        hint is None
        and k + 1 < n
        and tokens[k].text == "-"
        and tokens[k + 1].is_word
        and (
            (tokens[k].start == tokens[k - 1].end and tokens[k + 1].start == tokens[k].end)
            or tokens[k + 1].lower in UNITS
        )
    ):
        hint = tokens[k + 1].lower
        k += 2
    if hint is not None:
        head = hint.split("-")[0]
        if head in UNITS and d.kind != "money":
            d.kind, d.unit, d.factor = UNITS[head]
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
    if k + 1 < n and tokens[k].lower == "more" and tokens[k + 1].lower != "than":
        d.role = "additional"  # "20 more people": in addition to some already counted
        k += 1
    if d.noun is None:
        k = _read_noun(tokens, d, k)
    # Rates: "8 hours a day", "38 cents per share", "60 miles per hour".
    if k + 1 < n and tokens[k].lower in {"per", "a", "an", "each"} and tokens[k + 1].is_word:
        per = tokens[k + 1].lower
        if per in UNITS or tokens[k].lower == "per" or per in {"share", "capita", "head"}:
            per_unit = UNITS[per][1] if per in UNITS else singular(per)
            d.unit = f"{d.unit or d.noun or 'count'}/{per_unit}"
            d.last = k + 1
    return True


def _read_range(tokens: list[Token], d: _Draft, k: int) -> int:
    n = len(tokens)
    m = d.mention
    if m.form not in {"digits", "scaled", "words"} or k >= n:
        return k
    unit_skip = k
    if tokens[k].lower in UNITS and UNITS[tokens[k].lower][0] == "percent":
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
    if j < n and tokens[j].text in CURRENCY_SYMBOLS:
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
        if w in {"dollars", "dollar"} or (w in CURRENCY_WORDS and CURRENCY_WORDS[w] == d.unit):
            d.last = k
            return k + 1
        return k
    if w in {"per", "percentage"} and w2 in {"cent", "point", "points"}:
        d.kind = "percent"
        d.unit = "percent" if w2 == "cent" else "percentage point"
        d.last = k + 1
        return k + 2
    if w in CURRENCY_WORDS:
        d.kind, d.unit, d.last = "money", CURRENCY_WORDS[w], k
        return k + 1
    if w in CENT_WORDS:
        d.kind, d.unit, d.factor, d.last = "money", "USD", 0.01, k
        return k + 1
    if w in CURRENCY_CODES and tokens[k].text.isupper():
        d.kind, d.unit, d.last = "money", CURRENCY_CODES[w], k
        return k + 1
    if w in UNITS:
        kind, unit, factor = UNITS[w]
        if w == "m" and tokens[k].start != tokens[k - 1].end:
            return k  # a spaced "m" is too ambiguous (million, metres, minutes)
        if w in {"second", "point"} and d.mention.form == "ordinal":
            return k
        d.kind, d.unit, d.factor, d.last = kind, unit, factor, k
        k += 1
        if unit in {"mile", "m"} and k + 1 < n and tokens[k].lower == "per":
            per = tokens[k + 1].lower
            if per in UNITS and UNITS[per][0] == "duration":
                d.unit = f"{unit}/{UNITS[per][1]}"
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


def _is_demonym_plural(word: str) -> bool:
    """ "Americans", "Israelis", "Iraqis", "Syrians": people of a nation (not in a dictionary
    of common words, and not names of places or people)."""
    return len(word) >= 6 and word.endswith(("ans", "is", "ese", "ons", "ers"))


def _noun_run(tokens: list[Token], k: int) -> tuple[int, str | None, tuple[str, ...]]:
    """The noun phrase starting at token k: (end index, normalised head, lower-case modifiers)."""
    n = len(tokens)
    run: list[Token] = []
    j = k
    while j < n and len(run) < 4:
        t = tokens[j]
        if not t.is_word or t.lower in FUNCTION_WORDS or (t.lower in UNITS and run):
            break
        if t.lower in _REGION_WORDS:
            break  # "286,200 professionals globally": where, not what
        if (
            j + 2 < n
            and tokens[j + 1].text == "-"
            and tokens[j + 1].start == t.end
            and tokens[j + 2].is_number
            and tokens[j + 2].start == tokens[j + 1].end
        ):
            # "190 COVID-19 cases", "12 Su-24 jets": a named kind of the noun that follows.
            run.append(
                Token(
                    f"{t.lower}-{tokens[j + 2].text}",
                    t.start,
                    tokens[j + 2].end,
                    f"{t.lower}-{tokens[j + 2].text}",
                )
            )
            j += 3
            continue
        if (
            t.lower in PREDICATE_LEMMAS
            and PREDICATE_LEMMAS[t.lower] not in {"deploy", "have"}
            and run
        ):
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
        if (
            len(run) == 1
            and not head.text.isupper()
            and (is_known_word(head.lower) or _is_demonym_plural(head.lower))
        ):
            return j, normalise_noun(head.lower), ()  # "five Americans": people of a nation
        return k, None, ()  # "Kanchenjunga Expedition": a name, not a counted noun
    mods = tuple(t.lower for t in run[:-1] if not t.text[:1].isupper())
    return j, normalise_noun(head.text), mods


def _read_before(tokens: list[Token], d: _Draft) -> None:
    """Read qualifier, negation, verb, subject and direction before the number."""
    j = d.first - 1
    if j >= 0 and tokens[j].text in {'"', "\u201c"} and tokens[j].end == tokens[d.first].start:
        j -= 1  # cost “$4.2” billion: the opening quote of a quoted figure
    # Qualifier.
    for length in range(MAX_QUALIFIER_LEN, 0, -1):
        if j - length + 1 < 0:
            continue
        phrase = tuple(t.lower for t in tokens[j - length + 1 : j + 1])
        if phrase in QUALIFIERS_BEFORE:
            if phrase == ("some",) and d.mention.form in {"vague", "fraction"}:
                continue
            if d.qualifier is None:
                d.qualifier = " ".join(t.text for t in tokens[j - length + 1 : j + 1])
                d.qualifier_rule = QUALIFIERS_BEFORE[phrase]
            d.first = j - length + 1
            j -= length
            break
    # "its original 12 member states", "the first 100 days": a modifier written before.
    if (
        j >= 1
        and tokens[j].lower in CONTRAST_MODIFIERS
        and tokens[j - 1].lower in {"the", "its", "their", "his", "her", "our", "a", "an"}
    ):
        d.modifiers = (*d.modifiers, tokens[j].lower)
    # "another $20 billion", "an additional 500 troops": an amount on top of another.
    if j >= 0 and tokens[j].lower in _ADDITIONAL:
        d.role = "additional"
    elif j >= 0 and tokens[j].lower in {"including", "includes", "include"}:
        d.role = "part"  # "11 people, including 4 children": a part of a total
    elif _distributive(tokens, d.first):
        d.role = "each"  # "each of the two teams fired 12 shots": per team, not in all
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
        if w in CLAUSE_BREAKS or t.text in CLAUSE_BREAKS:
            break
        if w in PARTICLES and j >= 1 and _is_verb_like_base(tokens[j - 1]):
            particle = w
            j -= 1
            continue
        if w in AUXILIARIES or w in {"'s"}:
            aux = aux or w
            j -= 1
            continue
        if d.predicate is None and (_is_verb_like(t) or (particle and _is_verb_like_base(t))):
            verb = predicate_lemma(w)
            if particle is not None:
                verb = PREDICATE_LEMMAS.get(f"{verb}-{particle}", f"{verb} {particle}")
            _set_predicate(d, verb)
            j -= 1
            continue
        if w in PREPOSITIONS or w in ADVERBS_TO_SKIP or not t.is_word:
            if w in PREPOSITIONS and d.predicate is None:
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


_ADDITIONAL = frozenset({"another", "additional", "extra", "further"})
_EACH_TIME_WORDS = frozenset({"year", "day", "week", "month", "time", "night", "morning", "season"})


def _distributive(tokens: list[Token], first: int) -> bool:
    """True when "each" (or "every") governs the clause before the number at token `first`,
    and the number is not the count it distributes over ("each of the two teams")."""
    lo, _ = _clause(tokens, first, first, reach=12)
    for i in range(lo, first):
        if tokens[i].lower not in {"each", "every", "apiece"}:
            continue
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        if nxt in _EACH_TIME_WORDS:
            continue
        # "each of the two teams": this number counts the teams.
        return not (first - i <= 3 and nxt in {"of", "the"})
    return first + 1 < len(tokens) and tokens[first + 1].lower == "apiece"


_SCOPE_WORDS = frozenset({"among", "for", "on"})


def _scope_after(tokens: list[Token], d: _Draft) -> str | None:
    """A subgroup written after the quantity: "30% among young people", "a tariff on steel"."""
    k = max(d.last, d.mention.last_token) + 1
    n = len(tokens)
    if k >= n or tokens[k].lower not in _SCOPE_WORDS:
        return None
    j = k + 1
    while j < n and tokens[j].lower in {"the", "a", "an", "all", "its", "their"}:
        j += 1
    words: list[str] = []
    while j < n and len(words) < 3 and tokens[j].is_word and tokens[j].lower not in FUNCTION_WORDS:
        words.append(tokens[j].lower)
        j += 1
    if not words or words[0] in NOT_NAMES or words[0] in _EACH_TIME_WORDS:
        return None  # "on Monday", "for the first time" are no subgroups
    if tokens[k].lower == "for" and d.kind in {"money", "duration"}:
        return None  # "$5 for a ticket", "jailed for 6 years" name what, not whom
    return f"{tokens[k].lower} {' '.join(singular(w) for w in words)}"


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


_NEW_PREDICATE = frozenset({"and", "or", "but", "while", "which", "who", "that", "where"})


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
        if w in AUXILIARIES or w in ADVERBS_TO_SKIP or w in {"reportedly", "allegedly"}:
            j += 1
            continue
        if w in PREPOSITIONS and w not in {"of", "than"}:
            # "hundreds of participants in the caravan made their way": past the phrase.
            # "670 million views on YouTube and is ranked 13": a verb after "and" is another
            # predicate's, not this number's.
            k = j + 1
            while k < min(n, j + 5) and tokens[k].is_word and not _is_verb_like(tokens[k]):
                if tokens[k].lower in _NEW_PREDICATE:
                    return
                k += 1
            if (
                k < n
                and k < j + 5
                and _is_verb_like(tokens[k])
                and tokens[k].lower not in PREPOSITIONS
            ):
                j = k
                continue
            return
        if _is_verb_like(t) or w in {"dead", "missing"}:
            _set_predicate(d, predicate_lemma(w) if w != "dead" else "kill")
        return


def _resolve_roles(tokens: list[Token], drafts: list[_Draft]) -> None:
    """Part/total, from/to and "ago" roles, elided nouns and verbs after the noun."""
    for idx, d in enumerate(drafts):
        before = tokens[d.first - 1].lower if d.first > 0 else ""
        after = tokens[d.last + 1].lower if d.last + 1 < len(tokens) else ""
        nxt = drafts[idx + 1] if idx + 1 < len(drafts) else None
        if before == "from" and (
            nxt is not None and nxt.first > 0 and tokens[nxt.first - 1].lower == "to"
        ):
            d.role = "from"  # "from 10 to 20": the start of a change, not "deaths from 71,800"
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
            between = {t.lower for t in tokens[prev.last + 1 : d.first]}
            coordinated = joiner in {"and", ",", "or"} and prev.last >= d.first - 6
            # "grossed $47 million in North America and $385 million in other territories for
            # a worldwide total of $432 million": one verb for a list of amounts of one thing.
            listed = (
                prev.noun == d.noun and prev.last >= d.first - 12 and not between & _LIST_BREAKS
            )
            if prev.kind == d.kind and (coordinated or listed):
                d.predicate, d.subject = prev.predicate, d.subject or prev.subject
                d.direction = d.direction or prev.direction
        if d.noun is None and d.kind == "count" and d.predicate in PEOPLE_PREDICATES:
            d.noun = "people"
        if d.noun == "others":
            prev_nouns = [p.noun for p in drafts[:idx] if p.noun and p.kind == d.kind]
            d.noun = (
                prev_nouns[-1]
                if prev_nouns
                else ("people" if d.predicate in PEOPLE_PREDICATES else None)
            )


def _finish(
    text: str,
    original: str,
    tokens: list[Token],
    d: _Draft,
    names: list[_Name],
    after_previous: int,
    before_next: int,
) -> Quantity:
    start = tokens[d.first].start
    last = max(d.last, d.mention.last_token)
    end = tokens[last].end
    # Its clause, cut at the quantities next to it: in "$31 million in the US and $57 million
    # in other territories" the US is the first amount's place only.
    lo, hi = _clause(tokens, d.first, last)
    lo, hi = max(lo, after_previous), min(hi, max(before_next, last))
    in_clause = [
        r for r in names if lo <= r.first and r.last <= hi and not d.first <= r.first <= last
    ]
    if d.noun is None and d.kind == "count":
        if {t.lower for t in tokens[max(0, d.first - 3) : d.first]} & _RATING_WORDS:
            d.kind, d.role = "rating", "rating"  # "a score of 34": a rating, scale unsaid
        else:
            d.noun = _noun_before(tokens, lo, d.first)
    if d.noun is None and d.first >= 2 and tokens[d.first - 1].lower == "of":
        # "a production budget of $10 million", "a capacity of 23,660": the noun before "of".
        head = tokens[d.first - 2]
        if (
            head.is_word
            and head.lower not in FUNCTION_WORDS
            and head.lower not in _TALLY_WORDS
            and not head.text[:1].isupper()
            and not _is_verb_like(head)
        ):
            d.noun = normalise_noun(head.text)
    region = _region(tokens, lo, hi, d.first, last)
    # A place is the quantity's when it is written near it ("killed 17 in Mosul", "Ohio
    # reported four deaths"), not anywhere in a long clause ("... his ties to Russia").
    places = tuple(
        dict.fromkeys(
            r.place
            for r in in_clause
            if r.place is not None
            and (d.first - r.last <= _PLACE_REACH and r.first - last <= _PLACE_REACH)
        )
    )
    if region == "abroad":
        places = ()  # "outside the United States": not of the place it names
    m = d.mention
    interval, rule = interval_for(m, d.qualifier_rule, d.factor)
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
        names=tuple(dict.fromkeys(r.text for r in in_clause if r.place is None and r.subject)),
        places=places,
        scope=_scope_after(tokens, d) or region,
    )


def _slot(tokens: list[Token], d: _Draft) -> str:
    """The two words before the quantity (qualifier excluded) and the one after it."""
    first = d.first
    while first > 0 and tokens[first - 1].text in CURRENCY_SYMBOLS:
        first -= 1
    before = [t.lower for t in tokens[max(0, first - 2) : first]]
    end = max(d.last, d.mention.last_token) + 1
    after = tokens[end].lower if end < len(tokens) else "</s>"
    return " ".join([*before, "_", after])


# ---------------------------------------------------------------------------------------------
# The frame around a quantity: names, places, its clause, headline case, claimed dates


def _is_headline_case(text: str) -> bool:
    """True for Title Case or ALL CAPS text ("City Council Approves $75 Million Budget")."""
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    if text.isupper():
        return True
    long_words = [w for w in words[1:] if len(w) >= 4]
    if len(long_words) < 3:
        return False
    return sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.75


# Capitalised words that are not names of what a number is said of.
_CLAUSE_EDGES = frozenset({",", ";", ":", "(", ")", "but", "while", "whereas", "who", "which"})


@dataclass(frozen=True, slots=True)
class _Name:
    """A proper-name run of tokens [first, last]: the words, its place if a gazetteer knows it,
    and whether it names what the clause is about (not who says so: "the ministry said")."""

    first: int
    last: int
    text: str
    place: str | None
    subject: bool


def _name_runs(tokens: list[Token], headline: bool) -> list[_Name]:
    """The proper names of a sentence; in headline case only the places a gazetteer knows.

    A dateline ("WASHINGTON —", "PALM BEACH, Fla. —") says where the story was filed, not
    what its numbers are of: it is skipped."""
    runs: list[_Name] = []
    n = len(tokens)
    i = _after_dateline(tokens)
    while i < n:
        if headline:
            found = _place_at(tokens, i)
            if found is not None:
                last, place = found
                runs.append(_Name(i, last, place, place, True))
                i = last + 1
            else:
                i += 1
            continue
        at = _place_at(tokens, i) if tokens[i].text[:1].isupper() else None
        if (
            at is not None
            and at[0] > i
            and not (at[0] + 1 < n and _is_name_word(tokens, at[0] + 1))
        ):
            # "Bosnia and Herzegovina": a place of several words, "and" included; not when a
            # name goes on after it ("The Nice Guys" is a film, not the city).
            runs.append(_Name(i, at[0], at[1], at[1], True))
            i = at[0] + 1
            continue
        if not _is_name_word(tokens, i):
            i += 1
            continue
        j = i
        while j + 1 < n and (
            _is_name_word(tokens, j + 1)
            or (
                tokens[j + 1].lower in {"of", "&", "de", "al"}
                and j + 2 < n
                and _is_name_word(tokens, j + 2)
            )
        ):
            j += 1
        span = tokens[i : j + 1]
        while span and span[0].lower in NOT_NAMES:
            span = span[1:]  # titles: "President Trump" is Trump
        words = [_strip_possessive(t.text) for t in span]
        if words:
            phrase = " ".join(words)
            known = place_of(phrase)
            if known is None:
                at = _place_at(tokens, i)
                known = at[1] if at is not None and at[0] == j else None
            runs.append(_Name(i, j, phrase.lower(), known, not _is_attribution(tokens, i, j)))
        i = j + 1
    return runs


def _after_dateline(tokens: list[Token]) -> int:
    """The index of the first token after a leading dateline, or 0."""
    for k, t in enumerate(tokens[:8]):
        if t.text == "-" and k > 0 and tokens[0].text.isupper() and len(tokens[0].text) > 1:
            return k + 1
    return 0


def _is_name_word(tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    if not tok.text[:1].isupper() or not (tok.is_word or tok.text[:1].isalpha()):
        return False
    if tok.lower in NOT_NAMES:
        return False
    if _starts_sentence(tokens, i):
        # A capitalised first word is a name only if no dictionary knows it, it is a place, or
        # a name goes on after it ("Acme Holdings will pay").
        return (
            not is_known_word(tok.lower)
            or place_of(_strip_possessive(tok.text)) is not None
            or (i + 1 < len(tokens) and _is_name_word(tokens, i + 1) and i + 1 > 0)
        )
    return True


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _place_at(tokens: list[Token], i: int) -> tuple[int, str] | None:
    """The longest gazetteer place starting at token i: (last token, canonical name)."""
    if tokens[i].lower not in first_place_words():
        return None  # nearly every token: no place name starts with it
    for length in range(MAX_PLACE_WORDS, 0, -1):
        if i + length > len(tokens):
            continue
        span = tokens[i : i + length]
        if not all(t.is_word or t.text[:1].isalpha() for t in span):
            continue
        phrase = _strip_possessive(" ".join(t.text for t in span))
        if (
            length == 1
            and (len(phrase) < 4 or is_known_word(phrase))
            and phrase.lower()
            not in {
                "us",
                "u.s.",
                "uk",
                "u.k.",
            }
        ):
            continue  # in lower case, a one-word place must not be an English word
        place = place_of(phrase)
        if place is not None:
            return i + length - 1, place
    return None


def _is_attribution(tokens: list[Token], first: int, last: int) -> bool:
    """ "the ministry said", "according to Reuters", "Smith told": who says, not what of."""
    after = [t.lower for t in tokens[last + 1 : last + 4]]
    if any(w in REPORTING_WORDS for w in after[:2]) or after[:2] == ["'s", "spokesman"]:
        return True
    before = [t.lower for t in tokens[max(0, first - 2) : first]]
    return before in (["according", "to"], ["told"]) or before[-1:] == ["told"]


def _clause(tokens: list[Token], first: int, last: int, reach: int = 25) -> tuple[int, int]:
    """The token range of the clause around [first, last]: to the nearest commas, semicolons,
    "but", "while", "who", "which" on either side."""
    lo = first
    while lo > 0 and tokens[lo - 1].lower not in _CLAUSE_EDGES and first - lo < reach:
        lo -= 1
    hi = last
    n = len(tokens)
    while hi + 1 < n and tokens[hi + 1].lower not in _CLAUSE_EDGES and hi - last < reach:
        hi += 1
    return lo, hi


# Words between two amounts that end the first one's clause: the verb is not shared.
_LIST_BREAKS = frozenset({";", ".", "but", "while", "whereas", "which", "who", "against", "after"})
_RATING_WORDS = frozenset({"score", "rating", "rated", "scored", "grade", "graded", "scores"})
_PLACE_REACH = 8  # tokens between a quantity and a place said of it
_TALLY_WORDS = frozenset({"number", "total", "tally", "count", "toll"})


def _inherit_subject(
    quantities: list[Quantity], drafts: list[_Draft], names: list[_Name]
) -> list[Quantity]:
    """The names before a sentence's first amount are its subject, and every later amount that
    names no one of its own is said of them ("Warcraft has grossed $47 million in North
    America and $385 million in other territories")."""
    if not drafts:
        return quantities
    subject = tuple(
        dict.fromkeys(
            r.text for r in names if r.last < drafts[0].first and r.place is None and r.subject
        )
    )
    if not subject:
        return quantities
    return [
        q if q.names or k == 0 else dataclasses.replace(q, names=subject)
        for k, q in enumerate(quantities)
    ]


def _noun_before(tokens: list[Token], lo: int, first: int) -> str | None:
    """The counted noun written before the number: "the total number of cases ... is 152",
    "the death toll ... rose to 260" (a toll of deaths: people)."""
    for i in range(first - 1, lo - 1, -1):
        w = tokens[i].lower
        if w not in _TALLY_WORDS:
            continue
        if w == "toll" and i > lo and tokens[i - 1].lower in {"death", "casualty"}:
            return "people"
        if i + 2 < first and tokens[i + 1].lower == "of" and tokens[i + 2].is_word:
            j = i + 2
            while (
                j + 1 < first
                and tokens[j + 1].is_word
                and tokens[j + 1].lower not in FUNCTION_WORDS
            ):
                if _is_verb_like(tokens[j + 1]):
                    break
                j += 1
            if tokens[j].lower not in FUNCTION_WORDS:
                return normalise_noun(tokens[j].text)
    return None


# Words that say an amount is the world's, another country's or the home country's.
_REGION_WORDS: dict[str, str] = {
    "worldwide": "worldwide",
    "globally": "worldwide",
    "global": "worldwide",
    "outside": "abroad",
    "overseas": "abroad",
    "abroad": "abroad",
    "internationally": "abroad",
    "international": "abroad",
    "foreign": "abroad",
    "domestically": "domestic",
    "domestic": "domestic",
    "nationwide": "nationwide",
    "nationally": "nationwide",
}


def _region(tokens: list[Token], lo: int, hi: int, first: int, last: int) -> str | None:
    """ "worldwide", "abroad" or "domestic" when the clause says so ("$85 million in other
    territories", "outside North America", "around the world"); of several, the one nearest
    the quantity at tokens first..last ("$21 million in other territories for a worldwide
    total of $57.3 million": the total is worldwide)."""
    found: list[tuple[int, str]] = []
    for i in range(lo, hi + 1):
        w = tokens[i].lower
        region = _REGION_WORDS.get(w)
        if (
            w == "other"
            and i + 1 <= hi
            and tokens[i + 1].lower in {"territories", "countries", "markets"}
        ):
            region = "abroad"
        if (
            w == "world"
            and i >= 2
            and tokens[i - 1].lower == "the"
            and tokens[i - 2].lower in {"around", "across"}
        ):
            region = "worldwide"
        if region is not None:
            found.append((first - i if i < first else max(0, i - last), region))
    return min(found)[1] if found else None


def _temporal_quantities(
    original: str, tokens: list[Token], dates: list[DateMention], names: list[_Name]
) -> list[Quantity]:
    """Dates that are the value a claim states ("founded after 1988") as quantities of days."""
    out: list[Quantity] = []
    for d in dates:
        if d.first is None or d.last is None:
            continue
        if d.value_of is None and d.qualifier not in {"before", "after", "by", "until", "till"}:
            continue
        # A bound of the claim's own time ("released it after January 2018") is compared
        # with the other claim's time, not with its dates (role "bound").
        first, last = d.first.toordinal(), d.last.toordinal()
        qual: str | None = d.qualifier
        if qual == "after":
            interval = Interval(float(last), math.inf, low_open=True)
        elif qual in {"no earlier than", "in or after", "since"}:
            interval = Interval(float(first), math.inf)
        elif qual == "before":
            interval = Interval(-math.inf, float(first), high_open=True)
        elif qual in {"by", "until", "till", "no later than"}:
            interval = Interval(-math.inf, float(last))
        elif qual in {"around", "circa", "about"}:
            interval = Interval(float(first - 366), float(last + 366))
        else:
            interval = Interval(float(first), float(last))
        start = d.start
        if qual is not None:
            k = original.lower().rfind(qual.split()[0], 0, d.start)
            start = k if k >= 0 and d.start - k < 30 else d.start
        token_index = next((i for i, t in enumerate(tokens) if t.start >= d.start), len(tokens))
        lo, hi = _clause(tokens, max(0, token_index - 1), min(len(tokens) - 1, token_index))
        in_clause = [r for r in names if lo <= r.first and r.last <= hi]
        out.append(
            Quantity(
                text=original[start : d.end],
                start=start,
                end=d.end,
                value=float(first),
                interval=interval,
                kind="date",
                unit="day",
                noun=None,
                predicate=d.value_of,
                qualifier=qual,
                tolerance=f"date-{qual or 'exact'}",
                role=None if d.value_of is not None else "bound",
                names=tuple(
                    dict.fromkeys(r.text for r in in_clause if r.place is None and r.subject)
                ),
                places=tuple(dict.fromkeys(r.place for r in in_clause if r.place is not None)),
            )
        )
    return out
