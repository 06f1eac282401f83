"""Search in PostgreSQL keeps its recall when the asking source dominates the store.

The store holds many claims of one source close to the query and a few of another source
further away: an HNSW scan filtered on the source finds none of the latter, the search must
still return exactly the k best of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.models import EMBEDDING_DIMENSION, Article, Claim, Source
from app.db.session import create_session_factory
from app.search import Hit, pgvector
from app.search.pgvector import EF_SEARCH_MAX, PgVectorSearch
from tests.support.databases import Databases, fresh_database

pytestmark = pytest.mark.backends("postgresql")

K = 10
DOMINANT_CLAIMS = EF_SEARCH_MAX + 200  # more than one widest index scan can return
RNG = np.random.default_rng(7)
QUERY = np.zeros(EMBEDDING_DIMENSION, dtype=np.float32)
QUERY[0] = 1.0


def at_similarity(similarity: float) -> np.ndarray:
    """A unit vector whose cosine similarity to QUERY is exactly ``similarity``."""
    other = RNG.normal(size=EMBEDDING_DIMENSION)
    other[0] = 0.0
    other /= np.linalg.norm(other)
    vector = similarity * QUERY + np.sqrt(1 - similarity**2) * other
    return vector.astype(np.float32)


def store(session: Session, source: str, similarities: np.ndarray) -> list[int]:
    """One article of ``source`` with a claim at each similarity; the claims' ids."""
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
            text=f"{source} {position}",
            start=0,
            end=1,
            embedding=at_similarity(float(s)).tobytes(),
        )
        for position, s in enumerate(similarities)
    ]
    session.add_all(claims)
    session.flush()
    return [claim.id for claim in claims]


@pytest.fixture(scope="module")
def dominated(databases: Databases) -> Iterator[tuple[Session, PgVectorSearch, dict[str, int]]]:
    """A store where source "Wire" has 1200 claims nearer the query than any other source's.

    "Close" has ten claims ranked just behind the nearest hundred; "Far" has twenty behind all
    of Wire's.
    """
    with fresh_database(databases) as url:
        engine = create_engine(url)
        with create_session_factory(engine)() as session:
            wire = np.linspace(0.99, 0.80, DOMINANT_CLAIMS)
            store(session, "Wire", wire)
            store(session, "Close", wire[100:110] - 1e-4)
            store(session, "Far", np.linspace(0.75, 0.55, 20))
            session.commit()
            session.execute(text("ANALYZE"))
            rows = session.execute(text("SELECT name, id FROM sources")).all()
            names: dict[str, int] = dict(rows)
            yield session, PgVectorSearch(engine, EMBEDDING_DIMENSION), names
        engine.dispose()


def exact_top(session: Session, k: int, exclude: int | None, floor: float = -1.0) -> list[int]:
    """The k best claim ids by brute force in numpy: the answer a search must give."""
    rows = session.execute(text("SELECT id, source_id, embedding::text FROM claims")).all()
    scored = [
        (float(np.array(vector.strip("[]").split(","), dtype=np.float32) @ QUERY), claim_id)
        for claim_id, source_id, vector in rows
        if source_id != exclude
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [claim_id for similarity, claim_id in scored[:k] if similarity >= floor]


def ids(hits: list[Hit]) -> list[int]:
    return [hit.claim_id for hit in hits]


def test_a_filtered_index_scan_alone_would_find_nothing(dominated: tuple) -> None:
    session, _, sources = dominated
    session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = session.execute(
        text(
            "SELECT id FROM claims WHERE source_id <> :wire "
            "ORDER BY embedding <=> CAST(:q AS vector) LIMIT :k"
        ),
        {"wire": sources["Wire"], "q": str(QUERY.tolist()), "k": K},
    ).all()
    session.rollback()
    assert len(rows) < K  # the problem the search has to solve


def test_other_sources_within_reach_are_found_by_widening(
    dominated: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, index, sources = dominated

    def no_exact_scan(*_: object) -> list[Hit]:
        raise AssertionError("widening the index scan should have been enough")

    monkeypatch.setattr(index, "_exact", no_exact_scan)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the index, not a table scan
    plan = session.execute(
        text("EXPLAIN SELECT id FROM claims ORDER BY embedding <=> CAST(:q AS vector) LIMIT 40"),
        {"q": str(QUERY.tolist())},
    ).scalars()
    assert "ix_claims_embedding" in " ".join(plan)
    hits = index.nearest(session, [QUERY], K, sources["Wire"], -1.0)[0]
    session.rollback()
    assert ids(hits) == exact_top(session, K, sources["Wire"])
    assert len(hits) == K


def test_a_source_that_dominates_still_gets_the_k_best_of_the_others(
    dominated: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, index, sources = dominated
    exact_scans: list[int | None] = []
    exact = index._exact

    def spy(session: Session, vector: np.ndarray, k: int, exclude: int | None, floor: float):
        exact_scans.append(exclude)
        return exact(session, vector, k, exclude, floor)

    monkeypatch.setattr(index, "_exact", spy)
    # Leave out Close too, so that the answers are all behind every one of Wire's claims.
    session.execute(text("DELETE FROM claims WHERE source_id = :id"), {"id": sources["Close"]})
    session.execute(text("SET LOCAL enable_seqscan = off"))
    hits = index.nearest(session, [QUERY], K, sources["Wire"], -1.0)[0]
    expected = exact_top(session, K, sources["Wire"])
    session.rollback()
    assert ids(hits) == expected
    assert all(h.similarity < 0.8 for h in hits)
    assert exact_scans == [sources["Wire"]]  # after the widest index scan came up short


def test_the_similarity_floor_stops_the_search_early(
    dominated: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, index, sources = dominated
    calls: list[int] = []
    approximate = index._approximate

    def counting(session: Session, vector: np.ndarray, fetch: int) -> list:
        calls.append(fetch)
        return approximate(session, vector, fetch)

    monkeypatch.setattr(index, "_approximate", counting)
    hits = index.nearest(session, [QUERY], K, sources["Wire"], 0.985)[0]
    session.rollback()
    assert hits == []
    assert calls == [pgvector.FIRST_FETCH]  # nothing past the floor is worth a wider scan


def test_without_exclusion_the_nearest_claims_come_first(dominated: tuple) -> None:
    session, index, _ = dominated
    hits = index.nearest(session, [QUERY], K, None, -1.0)[0]
    session.rollback()
    assert ids(hits) == exact_top(session, K, None)
    similarities = [h.similarity for h in hits]
    assert similarities == sorted(similarities, reverse=True)
    assert similarities[0] == pytest.approx(0.99, abs=1e-5)


def test_the_index_counts_the_claims(dominated: tuple) -> None:
    _, index, _ = dominated
    assert index.count() == DOMINANT_CLAIMS + 10 + 20


def test_a_model_of_another_width_is_refused(dominated: tuple) -> None:
    session, _, _ = dominated
    with pytest.raises(ValueError, match="vector\\(384\\)"):
        PgVectorSearch(session.get_bind(), 768)  # type: ignore[arg-type]
