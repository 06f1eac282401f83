"""The classes of hostile input ``crosscheck bench`` measures and ``tests/core`` bounds.

Each is a short unit repeated to a size, or one long run of a character: the shapes that made
an analyser super-linear once (time tokens: the date scanner checked every match against all
earlier spans) or could (numbers, separators, qualifiers, quotes, brackets, long tokens). Plain
data, no imports beyond the standard library, so the core's tests can use it.

Every text is one claim the reader must read whole ("Officials said <flood> people were
counted."), the worst shape: a flood that is not a claim is dropped before the reader sees it,
and repeated sentences are read once. ``many claims`` is the other worst shape: as many distinct
claims as an article may have (``CROSSCHECK_MAX_CLAIMS_PER_ARTICLE``), each read and embedded.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD = "Officials said "
TAIL = " people were counted."


@dataclass(frozen=True, slots=True)
class InputClass:
    """A hostile text of exactly ``size`` characters: ``unit`` repeated inside one claim, or
    (``numbered``) sentences made from ``unit`` with ``{i}`` counting up."""

    name: str
    unit: str
    what: str
    dates: bool = False  # a date or time class (tests/core/test_dates.py bounds those)
    numbered: bool = False

    def text(self, size: int) -> str:
        if self.numbered:
            parts: list[str] = []
            length, i = 0, 0
            while length < size:
                parts.append(self.unit.format(i=i + 1))
                length += len(parts[-1])
                i += 1
            return "".join(parts)[:size]
        room = size - len(HEAD) - len(TAIL)
        return HEAD + (self.unit * (room // len(self.unit) + 1))[:room] + TAIL


INPUT_CLASSES: tuple[InputClass, ...] = (
    InputClass(
        "times",
        "1am 12:30 0:01:03 ",
        "time tokens (the quadratic date scanner's flood)",
        dates=True,
    ),
    InputClass("dates", "May 5, 2020 3/4/2020 Monday ", "date tokens", dates=True),
    InputClass("years", "in 1999 2019-20 since 1991 ", "years and year ranges", dates=True),
    InputClass(
        "many claims",
        "In district {i}, {i},500 people were counted. ",
        "distinct short claims with numbers, up to the claims cap",
        numbered=True,
    ),
    InputClass("number flood", "250,000 1.5 -3 42% ", "numbers with no words between"),
    InputClass(
        "separators",
        "250 000 250\u00a0000 250\u202f000 250'000 1.234.567 ",
        "space-like and apostrophe thousands separators",
    ),
    InputClass(
        "unicode digits",
        "\u0662\u0665\u0660\u066c\u0660\u0660\u0660 \uff12\uff15\uff10\uff0c\uff10\uff10\uff10 ",
        "Arabic-Indic and full-width digits",
    ),
    InputClass("minus and units", "\u22125 \u22122.5% $5 \u20ac5 5km ", "signs, currency, units"),
    InputClass(
        "scales and vague",
        "1,5 million dozens of hundreds of thousands ",
        "scale words and vague amounts",
    ),
    InputClass("qualifiers", "more than about at least nearly 5 ", "qualifiers before numbers"),
    InputClass("quotes", '\u201c5 people\u201d said "6" ', "quotation marks"),
    InputClass("nested brackets", "([{", "opening brackets never closed"),
    InputClass("sentences", ". ", "a sentence break every two characters"),
    InputClass("long word", "a", "one word of the whole size"),
    InputClass("long number", "9", "one number of the whole size"),
    InputClass("long separator run", ",", "one run of commas"),
    InputClass("hyphen run", "-", "one run of hyphens"),
)
