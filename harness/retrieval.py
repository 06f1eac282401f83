"""CLEF CheckThat! 2020 Task 2 through the service's own search: MAP@5 of hybrid, semantic and
lexical retrieval, and the fusion's parameters swept (``crosscheck eval-clef``).

The verified claims are stored as claims of a fresh SQLite (or PostgreSQL) database through
the same rows the service writes; each tweet is searched with ``CrossChecker.find``, the
function behind ``GET /v1/claims/search``. The candidates of each query are kept, so the fusion
(``app.search.fusion.fuse``) can be re-scored with other parameters without searching again.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, insert

from app.db.base import utcnow
from app.db.models import Article, Claim, IndexChange, Source
from app.search.fusion import Candidate, FusionPolicy, fuse

TOP = 5


@dataclass(frozen=True, slots=True)
class ClefSplit:
    queries: dict[str, str]  # tweet id -> text
    relevant: dict[str, set[str]]  # tweet id -> verified claim ids


def read_verified_claims(path: Path) -> dict[str, str]:
    """vclaim_id -> the verified claim's text."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return {row[0]: row[1] for row in reader if len(row) >= 2 and row[1].strip()}


def read_split(folder: Path) -> ClefSplit:
    queries: dict[str, str] = {}
    with (folder / "tweets.queries.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) >= 2:
                queries[row[0]] = row[1]
    relevant: dict[str, set[str]] = {}
    for line in (folder / "tweet-vclaim-pairs.qrels").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[3] != "0":
            relevant.setdefault(parts[0], set()).add(parts[2])
    return ClefSplit(queries, relevant)


def average_precision(ranked: Sequence[str], relevant: set[str], top: int = TOP) -> float:
    """AP@top as CLEF scores it: precision at each relevant hit in the top, over the number
    of relevant claims (at most ``top``)."""
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, item in enumerate(ranked[:top], 1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), top)


def mean_average_precision(
    rankings: Mapping[str, Sequence[str]], relevant: dict[str, set[str]], top: int = TOP
) -> float:
    scored = [average_precision(rankings.get(q, ()), rel, top) for q, rel in relevant.items()]
    return sum(scored) / len(scored) if scored else 0.0


def store_claims(engine: Engine, claims: dict[str, str], vectors: np.ndarray) -> dict[int, str]:
    """Each verified claim as the one claim of an article of one outlet; stored claim id ->
    vclaim id. Writes the rows the service writes (and the in-process index's change log)."""
    now = utcnow()
    ids = list(claims)
    with engine.begin() as connection:
        source_id = connection.execute(
            insert(Source).values(name="verified", created_at=now).returning(Source.id)
        ).scalar_one()
        articles = [
            {
                "id": i + 1,
                "source_id": source_id,
                "text": claims[vid],
                "content_hash": hashlib.sha256(vid.encode()).hexdigest(),
                "created_at": now,
            }
            for i, vid in enumerate(ids)
        ]
        connection.execute(insert(Article), articles)
        connection.execute(
            insert(Claim),
            [
                {
                    "id": i + 1,
                    "article_id": i + 1,
                    "source_id": source_id,
                    "position": 0,
                    "text": claims[vid],
                    "start": 0,
                    "end": len(claims[vid]),
                    "embedding": vectors[i].astype(np.float32).tobytes(),
                }
                for i, vid in enumerate(ids)
            ],
        )
        connection.execute(
            insert(IndexChange), [{"claim_id": i + 1, "added": True} for i in range(len(ids))]
        )
    return {i + 1: vid for i, vid in enumerate(ids)}


Searcher = Callable[[str, str], list[Candidate]]
"""(query, mode) -> the candidates the service's search read for it, best first."""


@dataclass(frozen=True, slots=True)
class ClefRun:
    """Each query's candidates (as the hybrid search read them) and the stored-id mapping."""

    candidates: dict[str, list[Candidate]]
    vclaim_of: dict[int, str]


def rank_with(run: ClefRun, policy: FusionPolicy) -> dict[str, list[str]]:
    """Each query's ranking of verified claims under another fusion policy."""
    return {
        query: [run.vclaim_of[f.candidate.claim_id] for f in fuse(found, policy)[:TOP]]
        for query, found in run.candidates.items()
    }


def semantic_only(run: ClefRun) -> dict[str, list[str]]:
    return rank_with(run, FusionPolicy(method="weighted", lexical_weight=0.0))


def sweep(
    run: ClefRun, relevant: dict[str, set[str]], base: FusionPolicy
) -> list[tuple[str, float]]:
    """MAP@5 of the weighted fusion over lexical weights and of RRF over k."""
    results = []
    for w in (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.0):
        policy = replace(base, method="weighted", lexical_weight=w)
        results.append(
            (f"weighted w={w}", mean_average_precision(rank_with(run, policy), relevant))
        )
    for k in (1, 5, 10, 20, 40, 60, 100):
        policy = replace(base, method="rrf", rrf_k=k)
        results.append((f"rrf k={k}", mean_average_precision(rank_with(run, policy), relevant)))
    return results
