"""What the desk's pages show, built from what the services return: the feed's filters as a
reviewer types them, passages with the claims and quantities marked, and the CSV rows.
No SQL here: every read goes through the conflicts and articles services."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Protocol
from urllib.parse import urlencode

from markupsafe import Markup, escape

from app.conflicts.repository import PairCounts
from app.conflicts.schemas import ConflictOut, QuantityPair
from app.core.quantities import Quantity
from app.desk.numberline import Band, Bound, number_line
from app.schemas import IntervalOut

STATUSES = ("new", "confirmed", "dismissed")
ORDERS = {"newest": "Newest first", "severity": "Most severe first", "oldest": "Oldest first"}
FILTERS = ("status", "source", "other_source", "since", "min_gap", "q", "order")


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """The feed's filters as given on the page (empty fields mean no filter), checked."""

    status: str | None = None
    source: str | None = None
    other_source: str | None = None
    since: datetime | None = None
    min_gap: float | None = None
    q: str | None = None
    order: str = "newest"
    errors: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, values: Mapping[str, str]) -> FeedQuery:
        """The filters of a query string, and what was wrong with them (dropped, said)."""
        errors = []

        def text(name: str, longest: int = 2000) -> str | None:
            value = (values.get(name) or "").strip()
            return value[:longest] or None

        status = text("status")
        if status is not None and status not in STATUSES:
            errors.append(f"status must be one of {', '.join(STATUSES)}.")
            status = None
        order = text("order") or "newest"
        if order not in ORDERS:
            errors.append(f"order must be one of {', '.join(ORDERS)}.")
            order = "newest"
        since = None
        if (raw := text("since")) is not None:
            try:
                since = _moment(raw)
            except ValueError:
                errors.append("since must be a date (2016-03-14) or a time (ISO 8601).")
        min_gap = None
        if (raw := text("min_gap")) is not None:
            try:
                min_gap = float(raw)
                if not 0 <= min_gap <= 1:
                    raise ValueError
            except ValueError:
                errors.append("least gap must be a number from 0 to 1.")
                min_gap = None
        return cls(
            status=status,
            source=text("source", 200),
            other_source=text("other_source", 200),
            since=since,
            min_gap=min_gap,
            q=text("q"),
            order=order,
            errors=tuple(errors),
        )

    def filters(self) -> dict[str, object]:
        """The filters a page token is bound to (as the API binds its own)."""
        return {
            "source": self.source,
            "other_source": self.other_source,
            "since": self.since,
            "min_gap": self.min_gap,
            "q": self.q,
            "status": self.status,
        }

    def form_values(self) -> dict[str, str]:
        """The filters as they go back into a form or a link."""
        values = {
            "status": self.status or "",
            "source": self.source or "",
            "other_source": self.other_source or "",
            "since": self.since.date().isoformat()
            if self.since is not None and self.since.time() == time(0)
            else (self.since.isoformat() if self.since else ""),
            "min_gap": "" if self.min_gap is None else f"{self.min_gap:g}",
            "q": self.q or "",
            "order": self.order,
        }
        return values

    def query_string(self, **extra: str) -> str:
        values = {k: v for k, v in {**self.form_values(), **extra}.items() if v}
        if values.get("order") == "newest":
            del values["order"]
        return urlencode(values)


def _moment(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = datetime.combine(date.fromisoformat(raw), time(0))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- passages -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str  # "claim" or "quantity"
    anchor: str | None = None
    css: str = ""  # further classes of a claim's mark


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The non-empty lines of an article (scraped text keeps one paragraph a line)."""
    spans, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans or [(0, len(text))]


def around(text: str, start: int, end: int, context: int = 1) -> tuple[int, int]:
    """The paragraphs holding ``[start, end)`` and ``context`` on either side."""
    spans = paragraphs(text)
    touching = [i for i, (s, e) in enumerate(spans) if s < end and e > start] or [0]
    first, last = max(touching[0] - context, 0), min(touching[-1] + context, len(spans) - 1)
    return spans[first][0], spans[last][1]


class Spanned(Protocol):
    """A quantity as written: its text (and, for the core's, its offsets in the claim)."""

    @property
    def text(self) -> str: ...


def quantity_spans(
    text: str, start: int, end: int, claim_text: str, quantities: Iterable[Spanned]
) -> list[Span]:
    """Where a claim's quantities are in the article: by their offsets when the article holds
    the claim as stored, else found by their text within the claim's place."""
    written = text[start:end]
    found = []
    for quantity in quantities:
        if (
            isinstance(quantity, Quantity)
            and written == claim_text
            and 0 <= quantity.start < quantity.end <= len(written)
        ):
            found.append(Span(start + quantity.start, start + quantity.end, "quantity"))
        elif (at := written.find(quantity.text)) >= 0:
            found.append(Span(start + at, start + at + len(quantity.text), "quantity"))
    return found


def marked(text: str, start: int, end: int, spans: Sequence[Span]) -> Markup:
    """``text[start:end]`` as HTML paragraphs, with claim spans in ``<mark>`` and quantity
    spans inside them in ``<strong>``; everything else escaped."""
    claims = sorted((s for s in spans if s.kind == "claim"), key=lambda s: s.start)
    quantities = sorted((s for s in spans if s.kind == "quantity"), key=lambda s: s.start)
    out: list[str] = []
    for p_start, p_end in paragraphs(text[start:end]):
        p_start, p_end = p_start + start, p_end + start
        out.append("<p>")
        out.append(_mark_range(text, p_start, p_end, claims, quantities))
        out.append("</p>")
    return Markup("".join(out))


def _mark_range(
    text: str, start: int, end: int, claims: Sequence[Span], quantities: Sequence[Span]
) -> str:
    events: list[tuple[int, int, str]] = []  # (offset, order, markup): closing tags first
    for span in claims:
        s, e = max(span.start, start), min(span.end, end)
        if s < e:
            anchor = f' id="{escape(span.anchor)}"' if span.anchor else ""
            classes = f"claim {span.css}".strip()
            events.append((s, 2, f'<mark class="{escape(classes)}"{anchor}>'))
            events.append((e, 0, "</mark>"))
    for span in quantities:
        s, e = max(span.start, start), min(span.end, end)
        if s < e:
            events.append((s, 3, '<strong class="quantity">'))
            events.append((e, 1, "</strong>"))
    events.sort()
    out, at = [], start
    for offset, _, tag in events:
        out.append(str(escape(text[at:offset])))
        out.append(tag)
        at = offset
    out.append(str(escape(text[at:end])))
    return "".join(out)


# --- the number line ------------------------------------------------------------------------


def _band(label: str, interval: IntervalOut) -> Band:
    return Band(
        label=label,
        low=Bound(interval.low, interval.low_open or interval.low is None),
        high=Bound(interval.high, interval.high_open or interval.high is None),
        notation=interval.notation,
    )


def picture(conflict: ConflictOut, pair: QuantityPair) -> Markup:
    """The two intervals of a quantity pair on one number line (inline SVG)."""
    a = _band(conflict.a.source or "a", pair.a.interval)
    b = _band(conflict.b.source or "b", pair.b.interval)
    title = f"{pair.measure}: {pair.a.text} against {pair.b.text}"
    return Markup(number_line(a, b, title))


# --- numbers and CSV ------------------------------------------------------------------------


def gap_percent(relative_gap: float) -> str:
    return f"{relative_gap * 100:.1f} %" if math.isfinite(relative_gap) else "∞"


CSV_COLUMNS = (
    "id",
    "created_at",
    "status",
    "reviewer",
    "reviewed_at",
    "note",
    "measure",
    "rule",
    "relative_gap",
    "severity",
    "similarity",
    "source_a",
    "published_a",
    "claim_a",
    "value_a",
    "interval_a",
    "url_a",
    "source_b",
    "published_b",
    "claim_b",
    "value_b",
    "interval_b",
    "url_b",
)


def csv_rows(conflicts: Iterable[ConflictOut]) -> str:
    """The conflicts as CSV, one row each, with a header; cells that a spreadsheet would run
    as a formula are quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in conflicts:
        head = c.quantities[0] if c.quantities else None
        writer.writerow(
            _safe(value)
            for value in (
                c.id,
                c.created_at.isoformat() if c.created_at else "",
                c.status,
                c.reviewer or "",
                c.reviewed_at.isoformat() if c.reviewed_at else "",
                c.note or "",
                c.measure,
                c.rule,
                c.relative_gap,
                c.severity,
                c.similarity,
                c.a.source or "",
                c.a.published_at or "",
                c.a.text,
                head.a.text if head else "",
                head.a.interval.notation if head else "",
                c.a.url or "",
                c.b.source or "",
                c.b.published_at or "",
                c.b.text,
                head.b.text if head else "",
                head.b.interval.notation if head else "",
                c.b.url or "",
            )
        )
    return buffer.getvalue()


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def pairs_chart(pairs: Sequence[PairCounts]) -> Markup:
    """Each pair of outlets as a bar: new, confirmed and dismissed conflicts (inline SVG)."""
    shown = list(pairs)[:20]
    if not shown:
        return Markup("")
    row, label_width, width = 30, 300, 640
    most = max(p.conflicts for p in shown) or 1
    scale = (width - label_width - 40) / most
    height = row * len(shown) + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" '
        'role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">Conflicts per pair of outlets: new, confirmed, dismissed</title>',
    ]
    for i, pair in enumerate(shown):
        y = 8 + i * row
        name = f"{pair.source} / {pair.other_source}"
        if len(name) > 44:
            name = name[:43] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="#1f2937">{escape(name)}</text>'
        )
        x = float(label_width)
        for count, colour in (
            (pair.new, "#6b7280"),
            (pair.confirmed, "#b91c1c"),
            (pair.dismissed, "#1d4ed8"),
        ):
            if count:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{count * scale:.1f}" height="20" '
                    f'fill="{colour}"/>'
                )
                x += count * scale
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12" fill="#1f2937">'
            f"{pair.conflicts}</text>"
        )
    legend_y = height - 8
    for j, (name, colour) in enumerate(
        (("new", "#6b7280"), ("confirmed", "#b91c1c"), ("dismissed", "#1d4ed8"))
    ):
        x = label_width + j * 110
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{legend_y}" font-size="12" fill="#1f2937">{name}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
