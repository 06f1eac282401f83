"""What the desk's pages are built from: filters as typed, passages with their marks, CSV
cells a spreadsheet will not run."""

from __future__ import annotations

from datetime import UTC, datetime

from app.desk.views import FeedQuery, Span, _safe, around, marked, paragraphs


def test_filters_as_typed_empty_fields_are_no_filter() -> None:
    query = FeedQuery.parse(
        {"status": "", "source": " AP ", "since": "2016-03-14", "min_gap": "0.25", "q": ""}
    )
    assert query.errors == ()
    assert (query.status, query.source, query.q) == (None, "AP", None)
    assert query.since == datetime(2016, 3, 14, tzinfo=UTC)
    assert query.min_gap == 0.25
    assert query.query_string() == "source=AP&since=2016-03-14&min_gap=0.25"
    assert FeedQuery.parse({"order": "severity"}).query_string(page="t") == (
        "order=severity&page=t"
    )


def test_bad_filters_are_dropped_and_said() -> None:
    query = FeedQuery.parse(
        {"status": "maybe", "order": "random", "since": "yesterday", "min_gap": "-1"}
    )
    assert (query.status, query.order, query.since, query.min_gap) == (None, "newest", None, None)
    assert len(query.errors) == 4


TEXT = "First paragraph.\n\nThe war killed 250,000 people <here>.\nLast one.\nAfter."


def test_a_claim_in_its_paragraphs_marked_and_escaped() -> None:
    assert [TEXT[s:e] for s, e in paragraphs(TEXT)] == [
        "First paragraph.",
        "The war killed 250,000 people <here>.",
        "Last one.",
        "After.",
    ]
    start = TEXT.index("The war")
    end = TEXT.index("<here>.") + len("<here>.")
    lo, hi = around(TEXT, start, end)
    assert TEXT[lo:hi] == TEXT[: TEXT.index("\nAfter")]  # one paragraph either side
    quantity = TEXT.index("250,000 people")
    html = marked(
        TEXT,
        lo,
        hi,
        [Span(start, end, "claim", "claim-7"), Span(quantity, quantity + 14, "quantity")],
    )
    assert html == (
        "<p>First paragraph.</p>"
        '<p><mark class="claim" id="claim-7">The war killed '
        '<strong class="quantity">250,000 people</strong> &lt;here&gt;.</mark></p>'
        "<p>Last one.</p>"
    )


def test_csv_cells_that_would_be_formulas_are_quoted() -> None:
    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _safe("+inf") == "+inf"  # a number, as a spreadsheet reads it
    assert _safe("-3.5") == "-3.5"
    assert _safe("@user") == "'@user"
    assert _safe(None) == ""
