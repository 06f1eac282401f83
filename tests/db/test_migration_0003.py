"""Revision 0003 keeps what was stored before it: conflicts written in the API's old shape are
served as before, claims without a stored analysis are read from their text until
``crosscheck reanalyse`` stores one, and a downgrade rebuilds the quantities table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings, get_settings
from app.db.base import Embedding
from app.db.migrate import PROJECT_ROOT
from app.embeddings import Embedder
from app.main import create_app
from tests.support.databases import Databases

AP = "The war has killed 250,000 people, the agency said on Monday."
AFP = "The war has killed more than 270,000 people, the monitor said on Monday."

OLD_PAIR = {
    "measure": "people killed",
    "rule": "disjoint-intervals",
    "relative_gap": 0.0556,
    "severity": 0.5,
    "a": {
        "text": "250,000 people",
        "value": 250000.0,
        "interval": {
            "low": 245000.0,
            "high": 255000.0,
            "low_open": False,
            "high_open": False,
            "notation": "[245000, 255000]",
        },
        "kind": "count",
        "unit": None,
        "noun": "people",
        "predicate": "kill",
        "qualifier": None,
    },
    "b": {
        "text": "more than 270,000 people",
        "value": 270000.0,
        "interval": {
            "low": 270000.0,
            "high": None,
            "low_open": True,
            "high_open": True,
            "notation": "(270000, +inf)",
        },
        "kind": "count",
        "unit": None,
        "noun": "people",
        "predicate": "kill",
        "qualifier": "more than",
    },
}


def config_for(url: str) -> Any:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = url
    return config


@pytest.fixture
def at_0002(databases: Databases) -> Iterator[str]:
    """A database at revision 0002 holding two articles, their claims and quantities, and
    one conflict in the old details shape."""
    url = databases.create_unmigrated()
    command.upgrade(config_for(url), "0002")
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    sources = sa.Table("sources", meta, autoload_with=engine)
    articles = sa.Table("articles", meta, autoload_with=engine)
    claims = sa.Table("claims", meta, sa.Column("embedding", Embedding(384)), autoload_with=engine)
    quantities = sa.Table("quantities", meta, autoload_with=engine)
    conflicts = sa.Table("conflicts", meta, autoload_with=engine)
    now = datetime(2016, 3, 14, tzinfo=UTC)
    vector = np.zeros(384, dtype=np.float32)
    vector[0] = 1.0
    with engine.begin() as connection:
        for i, (name, text) in enumerate([("AP", AP), ("AFP", AFP)], start=1):
            connection.execute(sources.insert().values(id=i, name=name, created_at=now))
            connection.execute(
                articles.insert().values(
                    id=i,
                    source_id=i,
                    text=text,
                    content_hash=f"hash-{i}",
                    published_at=date(2016, 3, 14),
                    created_at=now,
                )
            )
            connection.execute(
                claims.insert().values(
                    id=i,
                    article_id=i,
                    source_id=i,
                    position=0,
                    text=text,
                    start=0,
                    end=len(text),
                    embedding=vector.tobytes(),
                )
            )
        side = {1: OLD_PAIR["a"], 2: OLD_PAIR["b"]}
        for claim_id, quantity in side.items():
            span: str = quantity["text"]  # type: ignore[assignment]
            start = (AP if claim_id == 1 else AFP).index(span)
            interval: dict[str, Any] = quantity["interval"]  # type: ignore[assignment]
            connection.execute(
                quantities.insert().values(
                    claim_id=claim_id,
                    position=0,
                    text=span,
                    start=start,
                    end=start + len(span),
                    value=quantity["value"],
                    low=interval["low"],
                    high=interval["high"],
                    low_open=interval["low_open"],
                    high_open=interval["high_open"],
                    kind="count",
                    noun="people",
                    predicate="kill",
                    qualifier=quantity["qualifier"],
                )
            )
        connection.execute(
            conflicts.insert().values(
                id=1,
                claim_a_id=1,
                claim_b_id=2,
                similarity=0.9,
                relative_gap=0.0556,
                severity=0.5,
                measure="people killed",
                rule="disjoint-intervals",
                reason="Numeric conflict.",
                details=[OLD_PAIR],
                created_at=now,
                status="new",
            )
        )
    engine.dispose()
    yield url
    databases.drop(url)


def test_old_rows_survive_the_upgrade_reanalyse_and_the_downgrade(
    at_0002: str, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    command.upgrade(config_for(at_0002), "head")
    engine = sa.create_engine(at_0002)
    with engine.connect() as connection:
        assert "quantities" not in sa.inspect(connection).get_table_names()
        details = connection.scalar(sa.text("SELECT details FROM conflicts"))
        analyses = connection.execute(sa.text("SELECT analysis FROM claims")).scalars().all()
    details = details if isinstance(details, dict) else json.loads(details)
    assert details["v"] == 1
    assert [p["a"]["text"] for p in details["pairs"]] == ["250,000 people"]
    assert analyses == [None, None]

    with TestClient(create_app(Settings(database_url=at_0002), embedder)) as client:
        conflict = client.get("/v1/conflicts/1").json()
        [pair] = conflict["quantities"]
        assert (pair["a"]["interval"]["notation"], pair["b"]["interval"]["notation"]) == (
            "[245000, 255000]",
            "(270000, +inf)",
        )
        # No stored analysis yet: the article's quantities are read from the claim's text.
        article = client.get("/v1/articles/1").json()
        assert [q["text"] for q in article["claims"][0]["quantities"]] == ["250,000 people"]

    monkeypatch.setenv("CROSSCHECK_DATABASE_URL", at_0002)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["reanalyse"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "2 claims analysed again" in result.output
    with engine.connect() as connection:
        analyses = connection.execute(sa.text("SELECT analysis FROM claims")).scalars().all()
    assert all(a is not None for a in analyses)

    command.downgrade(config_for(at_0002), "0002")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT claim_id, text, low, high, high_open FROM quantities ORDER BY claim_id")
        ).all()
        old = connection.scalar(sa.text("SELECT details FROM conflicts"))
    engine.dispose()
    # Rebuilt from the stored analyses: an infinite bound is NULL and not open.
    assert [(*row[:4], bool(row[4])) for row in rows] == [
        (1, "250,000 people", 245000.0, 255000.0, False),
        (2, "more than 270,000 people", 270000.0, None, False),
    ]
    old = old if isinstance(old, list) else json.loads(old)
    assert old[0]["b"]["interval"]["notation"] == "(270000, +inf)"
    assert old[0]["a"]["text"] == "250,000 people"
