"""Keyword search over the claims, in the database's own full-text index (migration 0006).

SQLite: the FTS5 table ``claims_fts`` ranked by its BM25; PostgreSQL: the ``tsvector`` column
``claims.text_search`` under its GIN index, ranked by ``ts_rank``. Both are kept in step with
the claims by the database (triggers, a generated column), inside the writer's transaction, so
every worker sees a claim's words the moment it is committed and nothing needs replaying.

A query is its content words joined by OR (``app.core.words``): a claim sharing any of them is
a candidate and the rank rewards the rarer and the more of them it shares, as BM25 does, rather
than asking for every word as a plain full-text query would (a reworded claim has other words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.words import content_words

MAX_TERMS = 32
"""Query words used at most (the first distinct ones): a long query costs no more than this."""


@dataclass(frozen=True, slots=True)
class LexicalHit:
    """A stored claim found by its words; ``score`` larger is better (the backend's scale)."""

    claim_id: int
    score: float


class LexicalSearch(Protocol):
    """The claims that share words with a text, best first."""

    def search(
        self, session: Session, query: str, k: int, exclude_source_id: int | None
    ) -> list[LexicalHit]:
        """The ``k`` best-ranked claims sharing a content word with ``query``, from sources
        other than ``exclude_source_id``."""
        ...


def query_terms(query: str) -> list[str]:
    """The distinct content words of a query, in order, only letters and digits (nothing a
    full-text query syntax could read as an operator), at most ``MAX_TERMS``."""
    terms: list[str] = []
    for word in content_words(query):
        clean = "".join(ch for ch in word if ch.isalnum())
        if clean and clean not in terms:
            terms.append(clean)
    return terms[:MAX_TERMS]


class Fts5Search:
    """``LexicalSearch`` on SQLite's FTS5 (BM25; FTS5 gives it negated, smaller is better)."""

    _SQL = text(
        "SELECT claims_fts.rowid, bm25(claims_fts) AS rank FROM claims_fts "
        "WHERE claims_fts MATCH :query ORDER BY rank LIMIT :k"
    )
    _SQL_EXCLUDING = text(
        "SELECT claims_fts.rowid, bm25(claims_fts) AS rank FROM claims_fts "
        "JOIN claims ON claims.id = claims_fts.rowid "
        "WHERE claims_fts MATCH :query AND claims.source_id <> :source ORDER BY rank LIMIT :k"
    )

    def search(
        self, session: Session, query: str, k: int, exclude_source_id: int | None
    ) -> list[LexicalHit]:
        terms = query_terms(query)
        if not terms or k <= 0:
            return []
        match = " OR ".join(f'"{term}"' for term in terms)
        if exclude_source_id is None:
            rows = session.execute(self._SQL, {"query": match, "k": k})
        else:
            rows = session.execute(
                self._SQL_EXCLUDING, {"query": match, "k": k, "source": exclude_source_id}
            )
        return [LexicalHit(int(claim_id), -float(rank)) for claim_id, rank in rows]


class TsvectorSearch:
    """``LexicalSearch`` on PostgreSQL's full text (``ts_rank`` with length normalisation)."""

    _SQL = text(
        "SELECT id, ts_rank(text_search, q, 1) AS rank "
        "FROM claims, to_tsquery('english', :query) AS q "
        "WHERE text_search @@ q ORDER BY rank DESC, id LIMIT :k"
    )
    _SQL_EXCLUDING = text(
        "SELECT id, ts_rank(text_search, q, 1) AS rank "
        "FROM claims, to_tsquery('english', :query) AS q "
        "WHERE text_search @@ q AND source_id <> :source ORDER BY rank DESC, id LIMIT :k"
    )

    def search(
        self, session: Session, query: str, k: int, exclude_source_id: int | None
    ) -> list[LexicalHit]:
        terms = query_terms(query)
        if not terms or k <= 0:
            return []
        match = " | ".join(terms)
        if exclude_source_id is None:
            rows = session.execute(self._SQL, {"query": match, "k": k})
        else:
            rows = session.execute(
                self._SQL_EXCLUDING, {"query": match, "k": k, "source": exclude_source_id}
            )
        return [LexicalHit(int(claim_id), float(rank)) for claim_id, rank in rows]


def create_lexical_search(dialect_name: str) -> LexicalSearch:
    """The keyword search of the database's dialect."""
    return TsvectorSearch() if dialect_name == "postgresql" else Fts5Search()
