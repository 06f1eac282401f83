"""Dates, years, times and other numerals that are not quantities.

`find_date_mentions` serves two purposes: the quantity parser skips every span it returns
(a year is not a count), and the comparison reads the claim's event time from the ones that
resolve to calendar days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.numbers import normalise_text

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date-like span in a sentence, resolved to calendar days when possible."""

    start: int
    end: int
    text: str
    kind: str  # "date" | "month" | "year" | "relative" | "time" | "label"
    first: date | None  # None when it cannot be placed on the calendar (times, labels)
    last: date | None
    is_period_start: bool = False  # "since March 2011", "began in 2011": not the event time
    value_of: str | None = None  # "founded in 1979": the lemma whose claimed value it is
    # "after", "before", "by", ... written before a claimed date, or before a bound of the
    # claim's time ("performed it after January 2018": value_of is None)
    qualifier: str | None = None


_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAY_RE = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:1[6-9]\d\d|20\d\d|2100)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    # One separator throughout: "6.8/10" is a rating, not 6 August 2010.
    ("dmy", re.compile(r"(?<![\d.,/])\b(\d{1,2})([/.])(\d{1,2})\2(\d{2}|\d{4})\b(?![.,/]\d)")),
    (
        "month-day",
        re.compile(rf"\b({_MONTH_RE})\s+({_DAY_RE})\b(?:\s*,?\s+({_YEAR_RE})\b)?(?!\s*%)"),
    ),
    (
        "day-month",
        re.compile(
            rf"\b(?:the\s+)?({_DAY_RE})\s+(?:of\s+)?({_MONTH_RE})(?:\s*,?\s+({_YEAR_RE})\b)?"
        ),
    ),
    # Seasons and spans of years: "the 2019-20 season", "the 2014/15 budget", "1998-2001".
    ("year-range", re.compile(rf"\b({_YEAR_RE})[-/](\d\d|{_YEAR_RE})\b(?![-/]\d)")),
    ("month-year", re.compile(rf"\b({_MONTH_RE})\s*,?\s+({_YEAR_RE})\b")),
    ("decade", re.compile(r"\b(?:1[6-9]|20)\d0'?s\b|'\d0s\b")),
    ("year", re.compile(rf"(?<![\d,.$£€¥])\b({_YEAR_RE})\b(?![,.]\d)")),
    ("time", re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[ap]\.?m\.?|GMT|UTC)\b)?")),
    ("time", re.compile(r"\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am\b|pm\b)", re.IGNORECASE)),
    (
        "phone",
        # The last group has four digits: "555-123-4567", "020 7946 0958"; "999 999 999" is
        # a number written with spaces between its thousands.
        re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{4}\b"),
    ),
    ("weekday", re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    (
        "relative",
        re.compile(
            r"\b(yesterday|today|tonight|tomorrow"
            r"|(?:last|this|next|past)\s+(?:week|month|year|weekend))\b",
            re.IGNORECASE,
        ),
    ),
]

# Words before a year that make it a count instead ("$2015", "2015 people" are rare; "2000
# troops" is not): a year-like numeral followed by a plural noun is treated as a number.
_COUNT_NOUN_AFTER = re.compile(
    r"\s*(?:(?:confirmed|new|active|more|other|additional|registered|reported)\s+)?(?:(?!(?:is|was|has|as|its|this|his|us|plus|versus|thus|does|gives|sees|marks)\b)"
    r"[a-z]{2,}s\b|people\b|men\b|women\b|children\b)"
)

# "since March 2011", "began in 2011", "broke out in 2011": the start of a period, whose
# duration the sentence talks about, not the time the claim is about.
_PERIOD_START_BEFORE = re.compile(
    r"(?:\bsince(?:\s+[\w'-]+){0,10}?(?:\s+(?:in|on))?"
    r"|\b(?:began|begun|started|broke\s+out|erupted)(?:\s+[\w'-]+){0,10}?\s+in)"
    r"\s+(?:the\s+)?(?:early\s+|late\s+|mid-?\s*)?$",
    re.IGNORECASE,
)


# "founded in 1979", "born January 3, 1966", "released after 2015": a date that is the value a
# claim states (QuanTemp's temporal claims), not the time the claim is about. The verbs are the
# ones whose object is a point in time; "began" and "started" stay period starts, and
# "published" and "recorded" are left out (datelines: "Published on 14/03/2016").
_TEMPORAL_VERBS: dict[str, str] = {
    form: lemma
    for lemma, forms in {
        "bear": "born",
        "found": "founded co-founded cofounded",
        "establish": "established",
        "release": "released",
        "die": "died",
        "open": "opened",
        "form": "formed",
        "launch": "launched",
        "build": "built",
        "create": "created",
        "incorporate": "incorporated",
        "premiere": "premiered",
        "introduce": "introduced",
        "debut": "debuted",
        "complete": "completed",
        "marry": "married",
        "discover": "discovered",
        "invent": "invented",
        "retire": "retired",
        "inaugurate": "inaugurated",
        "air": "aired",
    }.items()
    for form in forms.split()
}
_TEMPORAL_BEFORE = re.compile(
    r"\b(" + "|".join(sorted(_TEMPORAL_VERBS, key=len, reverse=True)) + r")\b"
    r"(?:\s+(?:first|originally|officially|only|later|again|publicly|theatrically))?"
    r"(?:\s+(?P<qual>in\s+or\s+after|no\s+later\s+than|no\s+earlier\s+than|after|before|by"
    r"|until|around|circa|about|in|on|during|since))?"
    r"\s*(?:the\s+)?(?:(?P<part>early|late|mid-?)\s*)?$",
    re.IGNORECASE,
)


# "On September 27, 2017, Pineiro released Deadstar": a date opening the clause of such a verb.
_TEMPORAL_AFTER = re.compile(
    r"\s*,?\s*(?:[\w'’.-]+\s+){0,5}?("
    + "|".join(sorted(_TEMPORAL_VERBS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_CLAUSE_OPENING = re.compile(r"(?:^|[.;:!?(]\s*|,\s*)(?:on|in|by)?\s*$", re.IGNORECASE)


def _temporal_value(before: str, after: str = "") -> tuple[str, str | None] | None:
    """(lemma, qualifier) when the text around a date makes it a claimed value: the verb just
    before it ("founded in 1979"), or it opens the clause of such a verb ("In 1979, he founded")."""
    m = _TEMPORAL_BEFORE.search(before)
    if m is None:
        if _CLAUSE_OPENING.search(before[-12:] if len(before) > 12 else before):
            late = _TEMPORAL_AFTER.match(after)
            if late is not None:
                return _TEMPORAL_VERBS[late.group(1).lower()], None
        return None
    qual = " ".join((m.group("qual") or "").lower().split()) or None
    if qual in {"in", "on", "during"}:
        qual = None
    return _TEMPORAL_VERBS[m.group(1).lower()], qual


_BOUNDED_BEFORE = re.compile(r"\b(before|after|until|till|by)\s+(?:the\s+)?$", re.IGNORECASE)


def _month_number(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _day_number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, published_at: date | None) -> int | None:
    """The year of a year-less date: the publication year, or the one before if that is later
    than two months after publication ("on December 11" in a January article)."""
    if published_at is None:
        return None
    candidate = _safe_date(published_at.year, month, min(day, 28))
    if candidate is not None and candidate > published_at + timedelta(days=62):
        return published_at.year - 1
    return published_at.year


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _resolve_relative(phrase: str, published_at: date | None) -> tuple[date, date] | None:
    if published_at is None:
        return None
    p = " ".join(phrase.lower().split())
    d = published_at
    if p in {"today", "tonight"}:
        return d, d
    if p == "yesterday":
        return d - timedelta(days=1), d - timedelta(days=1)
    if p == "tomorrow":
        return d + timedelta(days=1), d + timedelta(days=1)
    which, unit = p.split(" ", 1)
    if unit in {"week", "weekend"}:
        monday = d - timedelta(days=d.weekday())
        if which in {"last", "past"}:
            monday -= timedelta(days=7)
        elif which == "next":
            monday += timedelta(days=7)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = d.year, d.month
        if which in {"last", "past"}:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        elif which == "next":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _month_span(year, month)
    year = d.year + {"last": -1, "past": -1, "next": 1}.get(which, 0)
    return date(year, 1, 1), date(year, 12, 31)


def _resolve_weekday(name: str, published_at: date | None) -> tuple[date, date] | None:
    """News convention: "on Monday" is the latest Monday on or before publication, except the
    day right after publication ("from Tuesday" in a Monday article)."""
    if published_at is None:
        return None
    target = WEEKDAYS[name.lower()]
    delta = (published_at.weekday() - target) % 7
    day = published_at + timedelta(days=1) if delta == 6 else published_at - timedelta(days=delta)
    return day, day


def find_date_mentions(text: str, published_at: date | None = None) -> list[DateMention]:
    """Dates, years, times and phone numbers in a sentence, non-overlapping, in order."""
    norm = normalise_text(text)
    found: list[DateMention] = []
    # One byte per character, set where a mention was taken: checking and taking a span cost
    # its length, so the scan stays linear in the text (a list of spans made it quadratic).
    taken = bytearray(len(norm))

    def free(start: int, end: int) -> bool:
        return taken.find(1, start, end) < 0

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(norm):
            start, end = m.start(), m.end()
            if not free(start, end):
                continue
            first: date | None = None
            last: date | None = None
            out_kind = "date"
            if kind == "iso":
                first = last = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                if first is None:
                    continue
            elif kind == "dmy":
                year = int(m.group(4))
                year = year + 2000 if year < 100 else year
                a, b = int(m.group(1)), int(m.group(3))
                first = _safe_date(year, b, a) or _safe_date(year, a, b)
                last = first
                if first is None:
                    continue
            elif kind in {"month-day", "day-month"}:
                month_text, day_text = (
                    (m.group(1), m.group(2)) if kind == "month-day" else (m.group(2), m.group(1))
                )
                month, day = _month_number(month_text), _day_number(day_text)
                # "May 5" is a date, but "may 5" is a verb: require the capital.
                if kind == "month-day" and month == 5 and not month_text[0].isupper():
                    continue
                year_text = m.group(3)
                year_value = int(year_text) if year_text else _year_for(month, day, published_at)
                if year_value is not None:
                    first = last = _safe_date(year_value, month, day)
            elif kind == "month-year":
                month_text = m.group(1)
                if month_text.lower().startswith("may") and not month_text[0].isupper():
                    continue
                first, last = _month_span(int(m.group(2)), _month_number(month_text))
                out_kind = "month"
            elif kind == "year-range":
                start_year = int(m.group(1))
                end_text = m.group(2)
                end_year = (
                    int(end_text) if len(end_text) == 4 else start_year // 100 * 100 + int(end_text)
                )
                if not start_year < end_year <= start_year + 99:
                    continue
                first, last = date(start_year, 1, 1), date(end_year, 12, 31)
                out_kind = "year"
            elif kind == "decade":
                out_kind = "year"
                digits = re.sub(r"\D", "", m.group(0))
                if len(digits) == 4:
                    first, last = date(int(digits), 1, 1), date(int(digits) + 9, 12, 31)
            elif kind == "year":
                if _COUNT_NOUN_AFTER.match(norm, end) and not norm[end:].lstrip().startswith(
                    ("s ", "'s")
                ):
                    continue
                year = int(m.group(1))
                first, last = date(year, 1, 1), date(year, 12, 31)
                out_kind = "year"
            elif kind == "weekday":
                span = _resolve_weekday(m.group(1), published_at)
                if span is not None:
                    first, last = span
                out_kind = "relative"
            elif kind == "relative":
                span = _resolve_relative(m.group(1), published_at)
                if span is not None:
                    first, last = span
                out_kind = "relative"
            else:
                out_kind = "time" if kind == "time" else "label"
            before = norm[max(0, start - 80) : start]
            period_start = bool(_PERIOD_START_BEFORE.search(before))
            # Only dates on the calendar by themselves: "on Tuesday" is when, not what.
            temporal = (
                _temporal_value(before, norm[end : end + 60])
                if first is not None and out_kind in {"date", "month", "year"}
                else None
            )
            qualifier = temporal[1] if temporal else None
            if temporal is None and first is not None and out_kind in {"date", "month", "year"}:
                bound = _BOUNDED_BEFORE.search(norm[max(0, start - 20) : start])
                qualifier = bound.group(1).lower() if bound else None
            taken[start:end] = b"\x01" * (end - start)
            found.append(
                DateMention(
                    start=start,
                    end=end,
                    text=text[start:end],
                    kind=out_kind,
                    first=first,
                    last=last,
                    is_period_start=period_start,
                    value_of=temporal[0] if temporal else None,
                    qualifier=qualifier,
                )
            )
    found.sort(key=lambda d: d.start)
    return found


def event_span(
    text: str, published_at: date | None, mentions: list[DateMention] | None = None
) -> tuple[date, date] | None:
    """The days a claim is about, from the dates in its text (``mentions``, when the caller
    has found them already), else None.

    Dates that start a period ("since March 2011", "began in March 2011") are skipped: the claim
    is about the period's present state (a death toll "since it began in 2011" is today's toll).
    Dates that are the value the claim states ("founded in 1979") are not its time either, nor
    are bounds ("before April 2013", "after May 2014": the time is only said to be on one side).
    Only the most precise dates count: "the mayor, who ran the agency between 2004 and 2011,
    said on Monday" is a claim of Monday, the years are background. Several dates of that
    precision give the span from the earliest to the latest.
    """
    norm = normalise_text(text)
    spans = [
        (d.first, d.last)
        for d in (find_date_mentions(text, published_at) if mentions is None else mentions)
        if d.first is not None
        and d.last is not None
        and not d.is_period_start
        and d.value_of is None
        and not _BOUNDED_BEFORE.search(norm[max(0, d.start - 20) : d.start])
    ]
    if not spans:
        return None
    finest = min((s[1] - s[0]).days for s in spans)
    # Within a factor of ~3 of the finest span: a day and a weekend count together, a day and
    # a year do not.
    precise = [s for s in spans if (s[1] - s[0]).days <= 3 * finest + 2]
    return min(s[0] for s in precise), max(s[1] for s in precise)
