"""Page-token keys: where they come from, and that a token signed under one is refused under
another."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.exceptions import BadRequest
from app.pagination import PageScope, PageTokens, page_token_key

SCOPE = PageScope("GET /v1/things", "newest", {"source": "AP", "since": None})


def test_a_sqlite_file_keeps_its_key_beside_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'crosscheck.db'}"
    first = page_token_key(None, url)
    secret = tmp_path / "data" / "crosscheck.db.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert page_token_key(None, url) == first  # another worker, or a restart
    assert list(secret.parent.iterdir()) == [secret]  # no draft left behind
    assert page_token_key(None, f"sqlite:///{tmp_path / 'other.db'}") != first


def test_keys_from_settings_and_urls() -> None:
    assert page_token_key("s3cret", "sqlite://") == page_token_key("s3cret", "sqlite:///x.db")
    assert page_token_key("s3cret", "sqlite://") != page_token_key("other", "sqlite://")
    assert page_token_key(None, "sqlite://") != page_token_key(None, "sqlite://")  # per process
    pg = "postgresql+psycopg://crosscheck:pw@db:5432/crosscheck"
    assert page_token_key(None, pg) == page_token_key(None, pg)  # every replica agrees
    assert page_token_key(None, pg) != page_token_key(None, pg.replace(":pw@", ":pw2@"))


def test_a_token_from_another_key_is_refused() -> None:
    mine, theirs = PageTokens(b"a" * 32), PageTokens(b"b" * 32)
    token = mine.issue(SCOPE, {"id": 7})
    assert mine.read(token, SCOPE, {"id"}) == {"id": 7}
    with pytest.raises(BadRequest, match="another key"):
        theirs.read(token, SCOPE, {"id"})


def test_filters_are_compared_by_value() -> None:
    tokens = PageTokens(b"k" * 32)
    token = tokens.issue(SCOPE, {"id": 7})
    same = PageScope("GET /v1/things", "newest", {"since": None, "source": "AP"})
    assert tokens.read(token, same, {"id"}) == {"id": 7}
    for other in ({"source": "ap"}, {"source": "AP", "since": "2016-01-01"}, {"source": None}):
        with pytest.raises(BadRequest, match="other filters"):
            tokens.read(token, PageScope("GET /v1/things", "newest", other), {"id"})
