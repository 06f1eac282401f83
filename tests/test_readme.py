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


def test_readme_webhook_receiver_verifies_a_delivery_in_five_lines() -> None:
    """The snippet, run as it is, accepts what the worker signs and refuses a forgery."""
    from datetime import UTC, datetime

    import pytest
    from standardwebhooks import WebhookVerificationError

    from app.webhooks.service import new_secret, standard_signatures

    section = README.split("### Webhooks", 1)[1]
    snippet = section.split("```python", 1)[1].split("```", 1)[0]
    assert len(snippet.strip().splitlines()) <= 5
    secret = new_secret()
    namespace: dict = {"SECRET": secret}
    exec(snippet, namespace)  # our own README
    body = b'{"type":"conflict.reviewed","timestamp":"2026-12-02T16:00:00Z","data":{"id":3}}'
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "event-1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": standard_signatures([secret], "event-1", now, body),
    }
    assert namespace["receive"](body, headers)["data"] == {"id": 3}
    with pytest.raises(WebhookVerificationError):
        namespace["receive"](body.replace(b":3", b":4"), headers)
