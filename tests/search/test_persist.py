"""The saved HNSW graph: a round trip keeps results and position, later changes replay onto it,
and a file that is damaged, built otherwise or another database's is ignored for a rebuild."""

from __future__ import annotations

import copy
import logging
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, delete, func, insert, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Article, Claim, IndexChange, Source
from app.db.session import create_db_engine
from app.embeddings import Embedder
from app.main import create_app
from app.search import hnsw, persist
from app.search.hnsw import ApproximateIndex, IndexDtype
from app.search.in_process import InProcessSearch
from app.search.persist import FILE_NAME, IndexFile
from app.search.repository import IndexLogRepository
from tests.support.api import TOLL_A, TOLL_B, post

DIMENSION = 32
SOURCES = 3


class Store:
    """A migrated SQLite database whose claims are written straight into the tables."""

    def __init__(self, path: Path, template: Path, seed: int = 0):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(template, path)
        self.url = f"sqlite:///{path}"
        self.engine: Engine = create_db_engine(Settings(database_url=self.url).database)
        self._rng = np.random.default_rng(seed)
        self._centres = self._unit(self._rng.normal(size=(40, DIMENSION)))
        self._next_claim = 1
        with self.engine.begin() as connection:
            connection.execute(insert(Source), [{"name": f"outlet {i}"} for i in range(SOURCES)])
            self._sources = list(connection.scalars(select(Source.id).order_by(Source.id)))

    @staticmethod
    def _unit(vectors: np.ndarray) -> np.ndarray:
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

    def add(self, n: int) -> list[int]:
        """Store ``n`` claims (in clusters, like one story told by many outlets)."""
        picks = self._rng.integers(0, len(self._centres), n)
        vectors = self._unit(
            self._centres[picks] + self._rng.normal(scale=0.2, size=(*picks.shape, DIMENSION))
        )
        ids = list(range(self._next_claim, self._next_claim + n))
        self._next_claim += n
        with self.engine.begin() as connection:
            articles = {}
            for source_id in self._sources:
                articles[source_id] = connection.execute(
                    insert(Article).returning(Article.id),
                    {
                        "source_id": source_id,
                        "url": None,
                        "title": None,
                        "text": "synthetic",
                        "content_hash": f"{ids[0]}-{source_id}",
                        "published_at": date(2016, 3, 14),
                    },
                ).scalar_one()
            rows = []
            for position, (claim_id, vector) in enumerate(zip(ids, vectors, strict=True)):
                source_id = self._sources[claim_id % SOURCES]
                rows.append(
                    {
                        "id": claim_id,
                        "article_id": articles[source_id],
                        "source_id": source_id,
                        "position": position,
                        "text": f"claim {claim_id}",
                        "start": 0,
                        "end": 1,
                        "embedding": vector.tobytes(),
                    }
                )
            connection.execute(insert(Claim), rows)
            connection.execute(insert(IndexChange), [{"claim_id": i, "added": True} for i in ids])
        return ids

    def remove(self, ids: list[int]) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(Claim).where(Claim.id.in_(ids)))
            connection.execute(insert(IndexChange), [{"claim_id": i, "added": False} for i in ids])

    def vectors(self, ids: list[int]) -> np.ndarray:
        with self.engine.connect() as connection:
            rows = dict(
                connection.execute(select(Claim.id, Claim.embedding).where(Claim.id.in_(ids))).all()
            )
        return np.stack([np.frombuffer(rows[i], dtype=np.float32) for i in ids])

    def sync(self, index: ApproximateIndex) -> None:
        with Session(self.engine) as session:
            InProcessSearch(index).catch_up(session)


def new_index(
    dimension: int = DIMENSION,
    dtype: IndexDtype = "f16",
    connectivity: int = 16,
    exact_below: int = 50,
) -> ApproximateIndex:
    return ApproximateIndex(
        dimension, exact_below=exact_below, connectivity=connectivity, dtype=dtype
    )


def everything(index: ApproximateIndex, query: np.ndarray) -> dict[int, float]:
    """Every claim of the index with its similarity to ``query`` (with ``_EXACT_AFTER`` at 0
    the graph's vectors are scanned exhaustively, so none is missed)."""
    return {h.claim_id: h.similarity for h in index.search(query, 4000, None, -1)}


def queries(n: int = 10) -> np.ndarray:
    return Store._unit(np.random.default_rng(99).normal(size=(n, DIMENSION)))


@pytest.fixture
def store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    made = Store(tmp_path / "store.db", migrated_template)
    yield made
    made.engine.dispose()


@pytest.fixture
def saved(store: Store, tmp_path: Path) -> tuple[ApproximateIndex, IndexFile]:
    """600 claims on the graph, saved."""
    store.add(600)
    index = new_index()
    store.sync(index)
    file = IndexFile(tmp_path / "index" / FILE_NAME, store.engine)
    assert file.save(index)
    return index, file


def test_a_saved_graph_loads_with_its_position_and_the_same_results(
    store: Store, saved: tuple[ApproximateIndex, IndexFile]
) -> None:
    index, file = saved
    loaded = new_index()
    assert IndexFile(file.path, store.engine).load(loaded)
    assert loaded.approximate
    assert loaded.seq == index.seq == 600
    assert len(loaded) == len(index) == 600
    for query in queries():
        for exclude in (None, 2):
            assert loaded.search(query, 10, exclude, 0.1) == index.search(query, 10, exclude, 0.1)


def test_replaying_later_changes_onto_a_loaded_graph_equals_a_rebuild(
    store: Store, saved: tuple[ApproximateIndex, IndexFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hnsw, "_EXACT_AFTER", 0)
    _, file = saved
    added = store.add(150)
    removed = [3, 300, 599, added[0], added[-1]]
    store.remove(removed)
    store.add(20)

    loaded = new_index()
    assert IndexFile(file.path, store.engine).load(loaded)
    assert loaded.seq == 600
    store.sync(loaded)
    rebuilt = new_index()
    store.sync(rebuilt)

    assert loaded.seq == rebuilt.seq == 600 + 150 + 5 + 20
    assert len(loaded) == len(rebuilt) == 600 + 150 - 5 + 20
    for query in queries():
        found = everything(loaded, query)
        assert found == everything(rebuilt, query)
        assert not set(removed) & set(found)
    for claim_id, vector in zip(added[1:4], store.vectors(added[1:4]), strict=True):
        assert loaded.search(vector, 1, None, -1)[0].claim_id == claim_id


def test_a_file_from_a_database_recreated_at_the_same_path_is_ignored(
    store: Store,
    saved: tuple[ApproximateIndex, IndexFile],
    tmp_path: Path,
    migrated_template: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hnsw, "_EXACT_AFTER", 0)
    _, file = saved
    store.engine.dispose()
    # Same ids at the same positions of the log, other vectors: only the contents tell.
    recreated = Store(tmp_path / "store.db", migrated_template, seed=1)
    recreated.add(600)
    index = new_index()
    with caplog.at_level(logging.WARNING, "crosscheck.search"):
        assert not IndexFile(file.path, recreated.engine).load(index)
    assert "another database" in caplog.text
    assert index.seq == 0
    assert len(index) == 0
    recreated.sync(index)
    vector = recreated.vectors([7])[0]
    assert index.search(vector, 1, None, -1)[0].claim_id == 7
    recreated.engine.dispose()


@pytest.mark.parametrize("claims", [300, 700])
def test_a_file_from_another_database_is_ignored(
    saved: tuple[ApproximateIndex, IndexFile],
    tmp_path: Path,
    migrated_template: Path,
    claims: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, file = saved
    other = Store(tmp_path / "other.db", migrated_template, seed=2)
    other.add(claims)  # a shorter log, or one with other claims at the saved position
    if claims > 600:
        other.remove([600])
    index = new_index()
    with caplog.at_level(logging.WARNING, "crosscheck.search"):
        assert not IndexFile(file.path, other.engine).load(index)
    assert "another database" in caplog.text
    assert index.seq == 0
    other.engine.dispose()


def flip_a_byte_in_the_graph(data: bytes) -> bytes:
    middle = len(data) // 3
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: data + b"\0",
        flip_a_byte_in_the_graph,
        lambda data: b"",
        lambda data: b"not an index at all" * 100,
    ],
    ids=["half", "last-byte-missing", "byte-added", "byte-flipped", "empty", "garbage"],
)
def test_a_damaged_file_is_ignored(
    store: Store,
    saved: tuple[ApproximateIndex, IndexFile],
    damage: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, file = saved
    file.path.write_bytes(damage(file.path.read_bytes()))  # type: ignore[operator]
    index = new_index()
    with caplog.at_level(logging.WARNING, "crosscheck.search"):
        assert not IndexFile(file.path, store.engine).load(index)
    assert "ignoring the saved search index" in caplog.text
    assert index.seq == 0
    assert len(index) == 0


@pytest.mark.parametrize(
    "settings", [{"dimension": 16}, {"dtype": "f32"}, {"connectivity": 8}], ids=str
)
def test_a_graph_built_with_other_settings_is_ignored(
    store: Store, saved: tuple[ApproximateIndex, IndexFile], settings: dict[str, Any]
) -> None:
    _, file = saved
    index = new_index(**settings)
    assert not IndexFile(file.path, store.engine).load(index)
    assert index.seq == 0
    assert not index.approximate


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary(
    store: Store, saved: tuple[ApproximateIndex, IndexFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, file = saved
    before = file.path.read_bytes()
    store.add(100)
    store.sync(index)
    written = persist._append_state

    def disk_full(path: Path, *args: object) -> object:
        with path.open("ab") as handle:
            handle.write(b"\0" * 1000)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist, "_append_state", disk_full)
    assert not file.save(index)
    assert file.path.read_bytes() == before
    assert [p.name for p in file.path.parent.iterdir()] == [FILE_NAME]

    monkeypatch.setattr(persist, "_append_state", written)
    assert file.save(index)
    loaded = new_index()
    assert IndexFile(file.path, store.engine).load(loaded)
    assert loaded.seq == 700


def test_a_failed_first_write_leaves_no_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(100)
    index = new_index()
    store.sync(index)
    monkeypatch.setattr(persist.os, "replace", _fail)
    file = IndexFile(tmp_path / "index" / FILE_NAME, store.engine)
    assert not file.save(index)
    assert list(file.path.parent.iterdir()) == []


def _fail(*args: object) -> None:
    raise OSError(5, "Input/output error")


def test_a_long_catch_up_is_saved_and_shutdown_saves_the_rest(store: Store, tmp_path: Path) -> None:
    file = IndexFile(tmp_path / "index" / FILE_NAME, store.engine, save_after=500)
    index = new_index()
    index.save_to(file)
    store.add(400)
    store.sync(index)  # below the threshold: no save
    store.add(200)
    store.sync(index)  # 600 changes since the last save: one starts in the background
    file.close(index)  # waits for it
    loaded = new_index()
    assert IndexFile(file.path, store.engine).load(loaded)
    assert loaded.seq == 600

    store.add(10)
    store.sync(index)
    index.close()
    loaded = new_index()
    assert IndexFile(file.path, store.engine).load(loaded)
    assert loaded.seq == 610


def test_an_older_index_does_not_overwrite_a_newer_file(
    store: Store, saved: tuple[ApproximateIndex, IndexFile], tmp_path: Path
) -> None:
    # Two workers over one database: the one that saw fewer changes stops last.
    behind, file = saved
    store.add(50)
    ahead = new_index()
    store.sync(ahead)
    assert IndexFile(file.path, store.engine).save(ahead)
    behind.apply(601, [], [], np.zeros((0, DIMENSION), np.float32), [])  # one change more
    assert not file.save(behind)
    loaded = new_index()
    assert IndexFile(file.path, store.engine).load(loaded)
    assert loaded.seq == 650


def test_an_exact_index_saves_nothing(store: Store, tmp_path: Path) -> None:
    store.add(100)
    index = new_index(exact_below=1000)
    store.sync(index)
    file = IndexFile(tmp_path / "index" / FILE_NAME, store.engine)
    assert not file.save(index)
    assert not file.path.exists()


def test_where_the_file_is_kept(tmp_path: Path) -> None:
    database = tmp_path / "data" / "crosscheck.db"
    settings = Settings(database_url=f"sqlite:///{database}")
    engine = create_db_engine(settings.database)
    default = IndexFile.for_database(engine, settings.index)
    assert default is not None
    assert default.path == tmp_path / "data" / "crosscheck.db.index" / FILE_NAME
    chosen = IndexFile.for_database(engine, Settings(index_dir=tmp_path / "graphs").index)
    assert chosen is not None
    assert chosen.path == tmp_path / "graphs" / FILE_NAME
    engine.dispose()
    for url in ("sqlite://", "sqlite:///:memory:"):
        memory = create_engine(url)
        assert IndexFile.for_database(memory, Settings(index_dir=tmp_path).index) is None
        memory.dispose()


def test_the_service_saves_its_graph_at_shutdown_and_starts_from_it(
    tmp_path: Path, migrated_template: Path, embedder: Embedder
) -> None:
    database = tmp_path / "service.db"
    shutil.copy(migrated_template, database)
    settings = Settings(database_url=f"sqlite:///{database}", index_exact_below=1)
    check = {"text": TOLL_B, "source": "AP", "published_at": "2016-03-14"}
    with TestClient(create_app(settings, embedder)) as client:
        post(client, "AFP", TOLL_A)
        first = client.post("/v1/check", json=check).json()
        seq = client.app.state.search.seq  # type: ignore[attr-defined]
    assert first["conflict_count"] == 1
    assert (tmp_path / "service.db.index" / FILE_NAME).exists()

    with TestClient(create_app(settings, embedder)) as client:
        search = client.app.state.search  # type: ignore[attr-defined]
        assert search.index.approximate  # before any request
        assert search.seq == seq > 0
        assert client.post("/v1/check", json=check).json() == first


def test_the_service_catches_up_before_its_first_request(
    tmp_path: Path, migrated_template: Path, embedder: Embedder
) -> None:
    """Without a saved graph (removed here), start-up replays the whole log: no request pays."""
    database = tmp_path / "service.db"
    shutil.copy(migrated_template, database)
    settings = Settings(database_url=f"sqlite:///{database}")
    with TestClient(create_app(settings, embedder)) as client:
        post(client, "AFP", TOLL_A)
        post(client, "RFE/RL", TOLL_B)
    shutil.rmtree(tmp_path / "service.db.index", ignore_errors=True)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        logged = connection.scalar(select(func.max(IndexChange.seq)))
        claims = connection.scalar(select(func.count()).select_from(Claim))
    engine.dispose()

    with TestClient(create_app(settings, embedder)) as client:
        search = client.app.state.search  # type: ignore[attr-defined]
        assert search.seq == logged > 0  # before any request
        assert search.count() == claims


def copy_of(store: Store, path: Path) -> Store:
    """A copy of ``store``'s database file that then goes its own way, with the same next
    claim id and the same random vectors to come."""
    store.engine.dispose()  # checkpoints the WAL into the file
    shutil.copy(Path(store.url.removeprefix("sqlite:///")), path)
    twin = Store.__new__(Store)
    twin.url = f"sqlite:///{path}"
    twin.engine = create_db_engine(Settings(database_url=twin.url).database)
    twin._rng = copy.deepcopy(store._rng)
    twin._centres = store._centres
    twin._next_claim = store._next_claim
    twin._sources = store._sources
    return twin


def test_a_file_from_a_copy_that_went_its_own_way_is_ignored(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The copy removed another claim than the original, then both added the same claim:
    same log length, same claim at the saved position, the same vectors at every sampled
    claim; only the summary of the whole log tells them apart."""
    store.add(600)
    twin = copy_of(store, tmp_path / "copy.db")
    twin.remove([300])  # far from the sampled claims, and from the tail
    store.remove([301])
    assert twin.add(1) == store.add(1) == [601]
    assert np.array_equal(twin.vectors([601]), store.vectors([601]))

    index = new_index()
    twin.sync(index)
    file = IndexFile(tmp_path / "twin.index" / FILE_NAME, twin.engine)
    assert file.save(index)
    assert IndexFile(file.path, twin.engine).load(new_index())  # its own database: loads
    with caplog.at_level(logging.WARNING, "crosscheck.search"):
        assert not IndexFile(file.path, store.engine).load(new_index())
    assert "went its own way" in caplog.text
    twin.engine.dispose()


def test_the_log_summary_costs_one_pass_in_the_database(store: Store) -> None:
    """100,000 log entries summarised well under a second of CPU (about 20 ms here)."""
    with store.engine.begin() as connection:
        connection.execute(
            insert(IndexChange), [{"claim_id": i, "added": True} for i in range(1, 100_001)]
        )
    with Session(store.engine) as session:
        repository = IndexLogRepository(session)
        started = time.process_time()
        summary = repository.log_summary(100_000)
        spent = time.process_time() - started
        assert summary == repository.log_summary(100_000)
        assert summary != repository.log_summary(99_999)
    assert summary.split(":")[:3] == ["100000", "100000", str(100_000 * 100_001 // 2)]
    assert spent < 1.0, spent
