"""The benchmark's building blocks (not its figures): synthetic stores and the quality measure."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from app.config import Settings
from app.db.models import Article, Claim, IndexChange
from app.db.session import create_db_engine, create_session_factory
from app.search.hnsw import ApproximateIndex
from app.search.in_process import InProcessSearch
from harness.bench.corpus import claim_sentences, load_corpus
from harness.bench.run import top10_overlap
from harness.bench.store import claim_count, fill


def test_fill_adds_claims_articles_and_the_change_log(
    tmp_path: Path, migrated_template: Path
) -> None:
    database = tmp_path / "bench.db"
    shutil.copy(migrated_template, database)
    engine = create_db_engine(Settings(database_url=f"sqlite:///{database}").database)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = ["One claim.", "Another claim of 3 words.", "A third."]

    assert fill(engine, 50, texts, vectors) == 50
    assert fill(engine, 70, texts, vectors) == 20
    assert fill(engine, 60, texts, vectors) == 0
    assert claim_count(engine) == 70
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Article)) == 4  # 20 a piece
        assert connection.scalar(select(func.count()).select_from(IndexChange)) == 70
        analysed = select(func.count()).select_from(Claim).where(Claim.analysis.is_not(None))
        assert connection.scalar(analysed) == 70  # as the service stores them
        blob = connection.scalar(select(Claim.embedding).limit(1))
    stored = np.frombuffer(blob, dtype=np.float32)
    assert stored.shape == (384,)
    assert abs(np.linalg.norm(stored) - 1) < 1e-5
    # Noisy copies stay near the sentence they stand for.
    assert (vectors @ stored).max() > 0.85

    index = ApproximateIndex(384, exact_below=10)
    with create_session_factory(engine)() as session:
        InProcessSearch(index).catch_up(session)
    assert len(index) == 70
    assert index.approximate
    engine.dispose()


def test_identical_embeddings_overlap_fully_and_noise_lowers_it() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert top10_overlap(vectors, vectors) == 1.0
    noisy = vectors + rng.normal(scale=0.3, size=vectors.shape).astype(np.float32)
    assert top10_overlap(vectors, noisy) < 0.9


def test_article_sentences_are_single_claims() -> None:
    pool = claim_sentences(load_corpus())
    assert len(pool) > 300
    assert all(sentence == sentence.strip() for sentence in pool)


def test_hostile_texts_are_the_size_asked_and_one_claim_each() -> None:
    from app.core.claims import extract_claims
    from harness.hostile_inputs import INPUT_CLASSES

    names = [c.name for c in INPUT_CLASSES]
    assert len(names) == len(set(names))
    for hostile in INPUT_CLASSES:
        text = hostile.text(5_000)
        assert len(text) == 5_000, hostile.name
        claims = extract_claims(text)
        assert len(claims) > 1 if hostile.numbered else len(claims) == 1, hostile.name


def test_the_hostile_table_shows_the_worst_of_each_class() -> None:
    from rich.console import Console

    from harness.bench.hostile import ENDPOINTS, print_hostile

    entry = {
        "worst_cpu_s": 0.5,
        "endpoints": {
            e: {"cpu_s_max": 0.25 * (i + 1), "statuses": [200 + i]} for i, e in enumerate(ENDPOINTS)
        },
    }
    console = Console(record=True, width=120)
    print_hostile({"size_chars": 200_000, "classes": {"long word": entry}}, console)
    shown = console.export_text()
    assert "200,000 chars" in shown
    assert "long word" in shown
    assert "0.500" in shown
    assert "200/201" in shown
