"""The number line: ends as the intervals have them, the gap shaded, a log scale across orders
of magnitude, and nothing from the data unescaped."""

from __future__ import annotations

import re

import pytest

from app.desk.numberline import Band, Bound, choose_scale, gap_between, number_line

AP = Band("AP", Bound(245000, False), Bound(255000, False), "[245000, 255000]")
AFP = Band("AFP", Bound(270000, True), Bound(None, True), "(270000, +inf)")


def circles(svg: str) -> list[str]:
    return re.findall(r'<circle [^>]*fill="(#[0-9a-f]+)"', svg)


def test_closed_ends_are_filled_open_ends_hollow_infinite_ends_arrows() -> None:
    svg = number_line(AP, AFP, "people killed")
    assert "AP [245000, 255000]" in svg
    assert "AFP (270000, +inf)" in svg
    # AP: two filled dots in its colour; AFP: one hollow dot and an arrow.
    assert circles(svg).count("#ffffff") == 1
    assert len(circles(svg)) == 3
    assert svg.count("<polygon") == 1
    assert 'class="gap"' in svg
    assert "Gap from 255,000 to 270,000." in svg


@pytest.mark.parametrize(
    ("a", "b", "gap"),
    [
        (AP, AFP, (255000, 270000)),
        (AFP, AP, (255000, 270000)),
        (AP, Band("x", Bound(250000, False), Bound(None, True), "[250000, +inf)"), None),
        (Band("x", Bound(None, True), Bound(10, True), "(-inf, 10)"), AP, (10, 245000)),
    ],
)
def test_the_gap_is_between_disjoint_intervals_only(
    a: Band, b: Band, gap: tuple[float, float] | None
) -> None:
    assert gap_between(a, b) == gap
    assert ('class="gap"' in number_line(a, b, "t")) is (gap is not None)


def test_orders_of_magnitude_take_a_log_scale() -> None:
    small = Band("a", Bound(12, False), Bound(12, False), "[12, 12]")
    large = Band("b", Bound(12000, False), Bound(12000, False), "[12000, 12000]")
    scale = choose_scale((small, large))
    assert scale.log
    # Equal ratios take equal room.
    assert scale.x(120) - scale.x(12) == pytest.approx(scale.x(12000) - scale.x(1200))
    assert "log scale" in number_line(small, large, "t")
    assert not choose_scale((AP, AFP)).log
    negative = Band("c", Bound(-5, False), Bound(-5, False), "[-5, -5]")
    assert not choose_scale((negative, large)).log  # no log of a negative value


def test_labels_are_escaped() -> None:
    hostile = Band('<script>"x"</script>', Bound(1, False), Bound(2, False), "[1, 2]")
    svg = number_line(hostile, AP, "<b>title</b>")
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
