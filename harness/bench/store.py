"""Large stores in minutes: rows written straight through SQLAlchemy Core.

Going through the API would take hours at a million claims (each is embedded). Instead every
stored claim is a real sentence of the corpus whose embedding is the model's vector for that
sentence plus small Gaussian noise, renormalised: ``v = normalise(e + sigma * g / sqrt(d))``
with ``sigma = 0.35`` (cosine to the clean vector about 0.94). The store thus has the geometry
of real claims, with each sentence reported many times in slightly different words by many
outlets, which is what a large news store looks like. The rows are the ones the service writes
(articles, claims with their stored analysis, the index change log). Each sentence is analysed
once, without a publication date; a claim whose text names no date gets its article's date as
its event time, as the service would give it (a year-less date in the text is placed as if
published in the text's own year: close enough for a synthetic store).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, func, insert, select, text

from app.core.analysis import analyse_claim
from app.db.codecs import analysis_to_json
from app.db.models import Article, Claim, IndexChange, Source
from harness.bench.corpus import OUTLETS

NOISE = 0.35
CLAIMS_PER_ARTICLE = 20
_CHUNK = 20_000


def claim_count(engine: Engine) -> int:
    """Claims stored now."""
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Claim)) or 0)


def fill(engine: Engine, target: int, texts: list[str], vectors: np.ndarray, seed: int = 0) -> int:
    """Add synthetic claims until the store holds ``target``; returns how many were added."""
    have = claim_count(engine)
    if have >= target:
        return 0
    rng = np.random.default_rng(seed + have)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        source_ids = _ensure_sources(connection)
        next_article = int(connection.scalar(select(func.max(Article.id))) or 0) + 1
        next_claim = int(connection.scalar(select(func.max(Claim.id))) or 0) + 1
        if postgres:
            # Building the HNSW graph once after the load is many times faster than growing it
            # row by row; the index is created again below with the migration's definition.
            connection.execute(text("DROP INDEX IF EXISTS ix_claims_embedding"))
    todo = target - have
    analyses: dict[int, dict[str, Any]] = {}
    while todo > 0:
        n = min(_CHUNK, todo)
        picks = rng.integers(0, len(texts), n)
        noisy = vectors[picks] + rng.normal(
            scale=NOISE / np.sqrt(vectors.shape[1]), size=(n, vectors.shape[1])
        )
        noisy = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
        articles, claims = [], []
        for a in range((n + CLAIMS_PER_ARTICLE - 1) // CLAIMS_PER_ARTICLE):
            article_id = next_article + a
            members = range(a * CLAIMS_PER_ARTICLE, min(n, (a + 1) * CLAIMS_PER_ARTICLE))
            source_id = source_ids[article_id % len(source_ids)]
            body = " ".join(texts[picks[i]] for i in members)
            published_at = date(2016, 1, 1) + timedelta(days=article_id % 900)
            articles.append(
                {
                    "id": article_id,
                    "source_id": source_id,
                    "url": f"https://bench.invalid/{article_id}",
                    "title": f"Synthetic article {article_id}",
                    "text": body,
                    "content_hash": hashlib.sha256(f"{article_id}:{body}".encode()).hexdigest(),
                    "published_at": published_at,
                }
            )
            offset = 0
            for position, i in enumerate(members):
                claim_text = texts[picks[i]]
                pick = int(picks[i])
                if pick not in analyses:
                    analyses[pick] = analysis_to_json(analyse_claim(claim_text))
                analysis = analyses[pick]
                if analysis["when"] is None:
                    day = published_at.isoformat()
                    analysis = {**analysis, "when": [day, day]}
                claims.append(
                    {
                        "id": next_claim + i,
                        "article_id": article_id,
                        "source_id": source_id,
                        "position": position,
                        "text": claim_text,
                        "start": offset,
                        "end": offset + len(claim_text),
                        "embedding": noisy[i].tobytes(),
                        "analysis": analysis,
                    }
                )
                offset += len(claim_text) + 1
        with engine.begin() as connection:
            connection.execute(insert(Article), articles)
            connection.execute(insert(Claim), claims)
            connection.execute(
                insert(IndexChange), [{"claim_id": c["id"], "added": True} for c in claims]
            )
        next_article += len(articles)
        next_claim += n
        todo -= n
    if postgres:
        with engine.begin() as connection:
            connection.execute(text("SET maintenance_work_mem = '4GB'"))
            connection.execute(
                text(
                    "CREATE INDEX IF NOT EXISTS ix_claims_embedding ON claims "
                    "USING hnsw (embedding vector_cosine_ops)"
                )
            )
            connection.execute(text("ANALYZE claims"))
    return target - have


def _ensure_sources(connection: Connection) -> list[int]:
    existing = dict(connection.execute(select(Source.name, Source.id)).all())
    missing = [{"name": name} for name in OUTLETS if name not in existing]
    if missing:
        connection.execute(insert(Source), missing)
        existing = dict(connection.execute(select(Source.name, Source.id)).all())
    return [existing[name] for name in OUTLETS]
