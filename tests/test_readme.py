"""The README's copy of the tolerance table is the code's table."""

from __future__ import annotations

from pathlib import Path

from app.core.tolerance import TOLERANCE_TABLE

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_tolerance_table_matches_the_code() -> None:
    section = README.split("### The tolerance table", 1)[1].split("###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = [row.split("|")[1].strip().strip("`") for row in rows]
    assert names == [rule.name for rule in TOLERANCE_TABLE]
    for row, rule in zip(rows, TOLERANCE_TABLE, strict=True):
        assert rule.interval.replace("|", "\\|") in row
        assert rule.applies_to.replace("|", "\\|") in row


def test_readme_lists_every_setting() -> None:
    from app.config import setting_names

    missing = [name for name in setting_names() if f"`{name}`" not in README]
    assert missing == []
