"""Numbers as written in news: digits, words, scale words, vague amounts and fractions.

This layer only reads the number itself ("1.5 million", "twenty-three", "tens of thousands").
What the number counts, its qualifier and its tolerance are read in `app.core.quantities`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

# Look-alike letters from other scripts that scraped news text contains (the seeds have a
# Cyrillic "с" in "Marсh 18"); mapped one character to one character so offsets are kept.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2019": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",  # thin space: a thousands separator in "250 000"
        "\u2007": " ",  # figure space
        "\u200b": " ",  # zero-width space: read as a space on every path
        "\uff0c": ",",  # full-width comma
        "\uff0e": ".",  # full-width full stop
        "\u066c": ",",  # Arabic thousands separator
        "\u066b": ".",  # Arabic decimal separator
    }
)


def normalise_text(text: str) -> str:
    """The text with look-alike characters replaced, same length, so offsets still apply."""
    out = text.translate(_CONFUSABLES)
    if len(out) != len(text):  # pragma: no cover - the table maps single characters only
        return text
    if out.isascii():  # no digits of other scripts to fold: nearly every sentence
        return out
    chars = []
    for ch in out:
        if ch.isdigit() and not ch.isascii():
            digit = unicodedata.digit(ch, -1)
            chars.append(str(digit) if 0 <= digit <= 9 else " ")
        else:
            chars.append(ch)
    return "".join(chars)


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a sentence with its character offsets."""

    text: str
    start: int
    end: int
    lower: str  # the text in lower case, read many times per token by the quantity parser

    @property
    def is_number(self) -> bool:
        """True for a token made of digits (with separators)."""
        return self.text[:1].isdigit()

    @property
    def is_word(self) -> bool:
        """True for a token made of letters."""
        return self.text[:1].isalpha()


_TOKEN_RE = re.compile(
    r"(?:[A-Z]\.){2,}"  # U.S., U.N.
    r"|(?<!\d)\d{1,3}(?:[ '](?=\d{3}(?!\d))\d{3})+(?![\d.,]\d)"  # 250 000, 250'000
    r"|\d+(?:[.,]\d+)*"
    r"|[^\W\d_]+(?:['-][^\W\d_]+)*"
    r"|\S"
)


def tokenize(text: str) -> list[Token]:
    """Split a sentence into word, number and punctuation tokens with offsets."""
    return [
        Token(word, m.start(), m.end(), word.lower())
        for m in _TOKEN_RE.finditer(text)
        for word in (m.group(),)
    ]


_DIGITS_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")


_SPACE_GROUPS_RE = re.compile(r"^\d{1,3}(?:([ '])\d{3})(?:\1\d{3})*$")
_DOT_GROUPS_RE = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?$")  # 1.234.567(,5)
_DECIMAL_COMMA_RE = re.compile(r"^\d+,\d{1,2}$")  # 1,5 (a thousands group has 3 digits)
_AMBIGUOUS_DOT_RE = re.compile(r"^\d{1,3}\.\d{3}$")  # 250.000: 250 or 250,000?


def canonical_digits(text: str, scaled: bool = False) -> str | None:
    """A digit token in the one form ``parse_digits`` reads ("250 000" -> "250000", "1,5" ->
    "1.5", "1.234.567" -> "1234567"), or None when it cannot be read without guessing.

    "250.000" is 250 in English and 250,000 in most of Europe: it is read only before a scale
    word ("1.125 billion", where only the decimal reading makes sense), else left uncompared."""
    if _SPACE_GROUPS_RE.match(text):
        return text.replace(" ", "").replace("'", "")
    if _DOT_GROUPS_RE.match(text):
        return text.replace(".", "").replace(",", ".")
    if _DECIMAL_COMMA_RE.match(text):
        return text.replace(",", ".")
    if _AMBIGUOUS_DOT_RE.match(text) and not scaled:
        return None
    return text


def parse_digits(text: str) -> tuple[float, int] | None:
    """Value and number of decimals of a digit token ("270,000" -> (270000.0, 0)), else None."""
    m = _DIGITS_RE.match(text)
    if m is None:
        return None
    if len(text) > 40:  # a numeral this long is an identifier, not a quantity
        return None
    try:
        value = float(text.replace(",", ""))
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(value):
        return None
    decimals = len(m.group(1)) if m.group(1) else 0
    return value, decimals


def grain_of(text: str) -> float:
    """Place value of the last significant written digit: "250,000" -> 10000, "3.5" -> 0.1."""
    plain = text.replace(",", "")
    if "." in plain:
        return 10.0 ** -len(plain.split(".", 1)[1])
    stripped = plain.rstrip("0")
    if not stripped:
        return 1.0
    return 10.0 ** (len(plain) - len(stripped))


UNITS_WORDS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS_WORDS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINAL_WORDS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "fifteenth": 15,
    "twentieth": 20,
    "twenty-fifth": 25,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "hundredth": 100,
}
SCALE_WORDS: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    # Misspelt in real copy often enough to be read ("a $4 billon deal").
    "milion": 1e6,
    "millon": 1e6,
    "bilion": 1e9,
    "billon": 1e9,
    "trilion": 1e12,
    "crore": 1e7,  # Indian English: 1 crore = 10 million, 1 lakh = 100,000
    "crores": 1e7,
    "lakh": 1e5,
    "lakhs": 1e5,
}
# Abbreviated scales written after digits: "3.5bn", "£40m", "5k". A bare "m" is a million only
# after a currency ("£40m"); otherwise it is metres ("100m sprint").
SCALE_ABBREVIATIONS: dict[str, float] = {
    "k": 1e3,
    "mn": 1e6,
    "mln": 1e6,
    "mil": 1e6,
    "bn": 1e9,
    "bln": 1e9,
    "b": 1e9,
    "tn": 1e12,
    "trn": 1e12,
}
FRACTION_WORDS: dict[str, float] = {
    "half": 0.5,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 0.25,
    "quarters": 0.25,
    "fourth": 0.25,
    "fourths": 0.25,
    "fifth": 0.2,
    "fifths": 0.2,
}
_VAGUE_PLURALS: dict[str, float] = {
    "hundreds": 1e2,
    "thousands": 1e3,
    "millions": 1e6,
    "billions": 1e9,
    "trillions": 1e12,
}


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A number as written, before any qualifier or unit is read."""

    start: int  # character offsets in the sentence
    end: int
    text: str
    value: float  # the stated value; the low end for ranges and vague amounts
    high: float  # the high end (equal to value for a single number)
    grain: float  # place value of the last significant written digit (0 when not applicable)
    form: str  # "digits" | "scaled" | "words" | "dozen" | "vague" | "fraction" | "ordinal"
    first_token: int  # token indexes covered, [first_token, last_token]
    last_token: int
    unit_hint: str | None = None  # the unit glued by a hyphen: "five-year" -> "year"


def _word_number(words: list[str]) -> tuple[float, int] | None:
    """Value of a run of number words ("twenty three", "two hundred and five") and its length."""
    total = 0.0
    current = 0.0
    used = 0
    seen = False
    i = 0
    while i < len(words):
        w = words[i]
        parts = w.split("-")
        if len(parts) == 2 and parts[0] in TENS_WORDS and parts[1] in UNITS_WORDS:
            current += TENS_WORDS[parts[0]] + UNITS_WORDS[parts[1]]
        elif w in UNITS_WORDS:
            current += UNITS_WORDS[w]
        elif w in TENS_WORDS:
            current += TENS_WORDS[w]
        elif w == "hundred" and seen:
            current = max(current, 1.0) * 100
        elif w in SCALE_WORDS and w != "hundred" and seen:
            total += max(current, 1.0) * SCALE_WORDS[w]
            current = 0.0
        elif w == "and" and seen and i + 1 < len(words) and _is_number_word(words[i + 1]):
            i += 1
            continue
        else:
            break
        seen = True
        i += 1
        used = i
    if not seen:
        return None
    return total + current, used


def _is_number_word(w: str) -> bool:
    parts = w.split("-")
    if len(parts) == 2 and parts[0] in TENS_WORDS and parts[1] in UNITS_WORDS:
        return True
    return w in UNITS_WORDS or w in TENS_WORDS


def _signed(tokens: list[Token], i: int) -> bool:
    """A minus sign glued before the number, not a hyphen between two words or numbers
    ("Su-24", "10-20")."""
    if i == 0 or tokens[i - 1].text != "-" or tokens[i - 1].end != tokens[i].start:
        return False
    return i == 1 or tokens[i - 2].end != tokens[i - 1].start


_QUOTES = frozenset({'"', "\u201c", "\u201d", "'", "\u2018"})


def _scale_after(tokens: list[Token], i: int, after_currency: bool) -> tuple[float, int] | None:
    """A scale word or abbreviation at token i ("million", "bn", "m" after a currency)."""
    if i >= len(tokens):
        return None
    w = tokens[i].lower
    if w in _QUOTES and i + 1 < len(tokens) and tokens[i + 1].lower in SCALE_WORDS:
        return SCALE_WORDS[tokens[i + 1].lower], i + 1  # “$4.2” billion: a quoted figure
    if w in SCALE_WORDS:
        return SCALE_WORDS[w], i
    glued = tokens[i].start == tokens[i - 1].end
    if w in SCALE_ABBREVIATIONS and (glued or w not in {"b", "k"}):
        if w == "b" and not after_currency:
            return None
        return SCALE_ABBREVIATIONS[w], i
    if w == "m" and after_currency:
        return 1e6, i
    return None


def parse_number_at(
    tokens: list[Token], i: int, after_currency: bool = False
) -> NumberMention | None:
    """The number starting at token i, if any (digits, words, vague amounts, fractions)."""
    tok = tokens[i]
    w = tok.lower
    if tok.is_number:
        scale_hit = _scale_after(tokens, i + 1, after_currency)
        digits = canonical_digits(tok.text, scaled=scale_hit is not None)
        parsed = parse_digits(digits) if digits is not None else None
        if digits is None or parsed is None:
            return None
        value, _decimals = parsed
        grain = grain_of(digits)
        if _signed(tokens, i):
            value = -value  # "−5", "fell to −2.5%": the minus sign is part of the number
        last = i
        form = "digits"
        if scale_hit is not None:
            value *= scale_hit[0]
            grain *= scale_hit[0]
            last = scale_hit[1]
            form = "scaled"
        return NumberMention(
            start=tok.start,
            end=tokens[last].end,
            text=_span_text(tokens, i, last),
            value=value,
            high=value,
            grain=grain,
            form=form,
            first_token=i,
            last_token=last,
        )
    if not tok.is_word:
        return None
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    nxt2 = tokens[i + 2].lower if i + 2 < len(tokens) else ""
    # Vague amounts: "hundreds of thousands", "tens of thousands", "thousands", "dozens".
    if w in {"tens", "hundreds"} and nxt == "of" and nxt2 in _VAGUE_PLURALS:
        base = (10.0 if w == "tens" else 100.0) * _VAGUE_PLURALS[nxt2]
        return _mention(tokens, i, i + 2, base, base * 20, 0.0, "vague")
    if w in _VAGUE_PLURALS:
        base = _VAGUE_PLURALS[w]
        return _mention(tokens, i, i, base, base * 20, 0.0, "vague")
    if w == "dozens":
        return _mention(tokens, i, i, 20.0, 200.0, 0.0, "vague")
    if w in {"several", "few"} and nxt in SCALE_WORDS:
        base = SCALE_WORDS[nxt]
        return _mention(tokens, i, i + 1, 2 * base, 10 * base, 0.0, "vague")
    if w == "a" and nxt == "few" and nxt2 in SCALE_WORDS:
        base = SCALE_WORDS[nxt2]
        return _mention(tokens, i, i + 2, 2 * base, 10 * base, 0.0, "vague")
    if w == "a" and nxt == "dozen":
        return _mention(tokens, i, i + 1, 12.0, 12.0, 0.0, "dozen")
    if w == "dozen" and (i == 0 or tokens[i - 1].lower not in {"a"}):
        # A bare "dozen of responsa" is a typo for "dozens": read it as the vague amount.
        return _mention(tokens, i, i, 20.0, 200.0, 0.0, "vague")
    if w == "a" and nxt in SCALE_WORDS:
        scale = SCALE_WORDS[nxt]
        return _mention(tokens, i, i + 1, scale, scale, scale, "words")
    # Fractions: "half", "a third", "two-thirds", "three quarters".
    if w == "half" and nxt not in {"-", "time", "hour", "way", "brother", "sister"}:
        if nxt == "a" and nxt2 in SCALE_WORDS:
            scale = SCALE_WORDS[nxt2]
            return _mention(tokens, i, i + 2, 0.5 * scale, 0.5 * scale, 0.0, "words")
        return _mention(tokens, i, i, 0.5, 0.5, 0.0, "fraction")
    if w == "a" and nxt in {"third", "quarter"} and nxt2 == "of":
        return _mention(tokens, i, i + 1, FRACTION_WORDS[nxt], FRACTION_WORDS[nxt], 0.0, "fraction")
    parts = w.split("-")
    if len(parts) == 2 and parts[0] in UNITS_WORDS and parts[1] in FRACTION_WORDS:
        value = UNITS_WORDS[parts[0]] * FRACTION_WORDS[parts[1]]
        return _mention(tokens, i, i, value, value, 0.0, "fraction")
    # Hyphenated number-unit words: "five-year", "twenty-five-member"; digits are the caller's.
    if len(parts) >= 2 and (parts[0] in UNITS_WORDS or parts[0] in TENS_WORDS):
        k = 2 if len(parts) >= 3 and parts[0] in TENS_WORDS and parts[1] in UNITS_WORDS else 1
        hyphen_value = _word_number(["-".join(parts[:k])])
        if hyphen_value is not None and parts[k] not in UNITS_WORDS:
            return NumberMention(
                start=tok.start,
                end=tok.end,
                text=tok.text,
                value=hyphen_value[0],
                high=hyphen_value[0],
                grain=0.0,
                form="words",
                first_token=i,
                last_token=i,
                unit_hint="-".join(parts[k:]),
            )
    if w in ORDINAL_WORDS:
        value = float(ORDINAL_WORDS[w])
        return _mention(tokens, i, i, value, value, 0.0, "ordinal")
    if _is_number_word(w):
        words = [t.lower for t in tokens[i : i + 8]]
        parsed_words = _word_number(words)
        if parsed_words is None:
            return None
        value, used = parsed_words
        last = i + used - 1
        if w == "one" and used == 1:
            return None  # "one of the", "at one point": a pronoun far more often than a count
        grain = 0.0
        word_scale = _scale_after(tokens, last + 1, after_currency)
        if word_scale is not None and tokens[word_scale[1]].lower in SCALE_WORDS:
            value *= word_scale[0]
            last = word_scale[1]
            grain = word_scale[0]
        elif any(tokens[k].lower in SCALE_WORDS for k in range(i, last + 1)):
            grain = max(
                SCALE_WORDS[tokens[k].lower]
                for k in range(i, last + 1)
                if tokens[k].lower in SCALE_WORDS
            )
        return _mention(tokens, i, last, value, value, grain, "words")
    return None


def _mention(
    tokens: list[Token], first: int, last: int, value: float, high: float, grain: float, form: str
) -> NumberMention:
    return NumberMention(
        start=tokens[first].start,
        end=tokens[last].end,
        text=_span_text(tokens, first, last),
        value=value,
        high=high,
        grain=grain,
        form=form,
        first_token=first,
        last_token=last,
    )


def _span_text(tokens: list[Token], first: int, last: int) -> str:
    parts: list[str] = []
    for k in range(first, last + 1):
        if k > first and tokens[k].start > tokens[k - 1].end:
            parts.append(" ")
        parts.append(tokens[k].text)
    return "".join(parts)
