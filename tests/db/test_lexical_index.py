"""The full-text index of migration 0006 follows the claims on both backends: a claim is found
by its words once committed, by every engine (a second worker), and forgotten once deleted."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, delete
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.models import EMBEDDING_DIMENSION, Article, Claim, Source
from app.db.session import create_session_factory
from app.search.lexical import create_lexical_search, query_terms
from tests.support.databases import Databases, fresh_database

TOLL = "The war in Syria has killed more than 270,000 people, the monitor said."
RATES = "The central bank raised interest rates by a quarter point on Tuesday."
PLANES = "Russia sent over 50 warplanes to Syria."


@pytest.fixture
def engines(databases: Databases) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one new database: two workers' pools."""
    with fresh_database(databases) as url:
        first, second = create_engine(url), create_engine(url)
        yield first, second
        first.dispose()
        second.dispose()


def store(engine: Engine, source: str, texts: list[str]) -> list[int]:
    with create_session_factory(engine)() as session:
        row = Source(name=source, created_at=utcnow())
        session.add(row)
        session.flush()
        article = Article(source_id=row.id, text=source, content_hash=source, created_at=utcnow())
        session.add(article)
        session.flush()
        claims = [
            Claim(
                article_id=article.id,
                source_id=row.id,
                position=position,
                text=text,
                start=0,
                end=len(text),
                embedding=np.ones(EMBEDDING_DIMENSION, dtype=np.float32).tobytes(),
            )
            for position, text in enumerate(texts)
        ]
        session.add_all(claims)
        session.commit()
        return [claim.id for claim in claims]


def found(engine: Engine, query: str, exclude_source_id: int | None = None) -> list[int]:
    lexical = create_lexical_search(engine.dialect.name)
    with Session(engine) as session:
        return [h.claim_id for h in lexical.search(session, query, 10, exclude_source_id)]


def test_a_claim_is_found_by_its_words_after_insert(engines: tuple[Engine, Engine]) -> None:
    engine, _ = engines
    toll, rates = store(engine, "AFP", [TOLL, RATES])
    assert found(engine, "how many people were killed in Syria") == [toll]
    assert found(engine, "interest rates") == [rates]
    assert found(engine, "football results") == []


def test_the_rarer_and_more_shared_words_rank_first(engines: tuple[Engine, Engine]) -> None:
    engine, _ = engines
    toll, _, planes = store(engine, "AFP", [TOLL, RATES, PLANES])
    assert found(engine, "Russia warplanes Syria")[:2] == [planes, toll]


def test_a_second_workers_writes_are_found_at_once(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    assert found(first, "warplanes") == []
    [planes] = store(second, "TASS", [PLANES])
    assert found(first, "warplanes") == [planes]


def test_a_deleted_claim_is_forgotten(engines: tuple[Engine, Engine]) -> None:
    engine, other = engines
    toll, rates = store(engine, "AFP", [TOLL, RATES])
    with Session(other) as session:
        session.execute(delete(Claim).where(Claim.id == toll))
        session.commit()
    assert found(engine, "killed people Syria") == []
    assert found(engine, "rates") == [rates]


def test_one_source_can_be_left_out(engines: tuple[Engine, Engine]) -> None:
    engine, _ = engines
    [afp] = store(engine, "AFP", [TOLL])
    [tass] = store(engine, "TASS", [PLANES])
    with Session(engine) as session:
        afp_source = session.get(Claim, afp)
        assert afp_source is not None
        source_id = afp_source.source_id
    assert set(found(engine, "Syria")) == {afp, tass}
    assert found(engine, "Syria", exclude_source_id=source_id) == [tass]


def test_query_syntax_is_never_read_as_operators(engines: tuple[Engine, Engine]) -> None:
    engine, _ = engines
    [toll] = store(engine, "AFP", [TOLL])
    for query in ['Syria" OR NEAR(', "killed* AND -war", "people:killed", "'; DROP", "!&|()"]:
        assert found(engine, query) in ([toll], [])
    assert query_terms("The war, the WAR and the war's toll") == ["war", "toll"]
