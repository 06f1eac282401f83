"""The HNSW graph saved beside the SQLite database, so that a restart loads it.

Without it every start rebuilds the graph from the change log before it can serve: 160 s at a
million claims on two cores. The file holds the graph and the change-log position it reflects;
a process that loads it replays only the later changes (the log is append-only and never
truncated, so replaying from an older position is always right, removals included).

A file may be left by another database, or by an earlier one at the same path, and several
worker processes share it, so it is used only if everything about it checks out; otherwise it is
ignored with a warning and the index is rebuilt from the log as before:

- its trailer, lengths and CRC-32 (a truncated or damaged file);
- the dimension, scalar type and connectivity it was built with (changed settings or model);
- its fingerprint in this database, all of which must match:
  - a summary of the whole change log up to the saved position (``log_summary``: entries,
    adds, the sum of the live claim ids and two hashes of every entry, summed by the database
    in one pass over the log, 0.3 s of CPU per million entries here): a copy of the database that
    added or removed any other claim since it was copied is refused, wherever in the log;
  - the claim the change log records at the saved position;
  - a digest of the source and stored vector of a few claims spread over the graph and of the
    last ``TAIL_SAMPLES`` claims added before the saved position (where two copies that went
    their own ways differ first, if they added claims with the same ids), each of which must
    still be stored unchanged or have a removal logged after that position.

  A content digest of every claim would need the vectors of all of them read at each start
  (1.5 GB at a million claims) or a hash chain maintained in the log by every write (a
  migration); the log summary covers every id and operation, the tail the contents where
  copies part.

Layout: the graph as usearch's ``Index.save`` writes it, the claim-to-source array (int32,
little-endian), a JSON header, and a trailer (magic, header length). It is written to a
temporary file in the same directory and renamed over the old one, so that a reader finds the
old file or the new one, never a part of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import struct
import threading
import time
import uuid
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.search.hnsw import GraphState
from app.search.repository import IndexLogRepository

if TYPE_CHECKING:
    from app.config import IndexSettings
    from app.search.hnsw import ApproximateIndex

logger = logging.getLogger("crosscheck.search")

FILE_NAME = "hnsw.bin"
SAVE_AFTER_CHANGES = 50_000
"""A sync that applied this many log entries since the last save starts another (a thread)."""

_FORMAT = 2  # 2: the log summary and the tail samples
TAIL_SAMPLES = 32
_MAGIC = b"xchnsw\x00\x01"
_TRAILER = struct.Struct("<8sQ")  # magic, length of the JSON header
_SOURCE_DTYPE = np.dtype("<i4")
_CRC_CHUNK = 1 << 24
_STALE_TEMPORARY_S = 3600  # a temporary this old is a save that was killed, not one running


class UnusableFile(Exception):
    """A saved index that must not be loaded; the message says why."""


@dataclass(frozen=True, slots=True)
class Header:
    """The JSON header of a saved index."""

    format: int
    seq: int
    size: int
    dimension: int
    dtype: str
    connectivity: int
    graph_bytes: int
    sources: int  # entries of the claim-to-source array
    crc32: int  # of the graph and the array
    claim_at_seq: int
    log_summary: str  # IndexLogRepository.log_summary at seq
    digests: dict[str, str]  # claim id -> digest of its source and stored vector

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Header:
        try:
            fields = json.loads(raw)
            if isinstance(fields, dict) and fields.get("format") != _FORMAT:
                raise UnusableFile(f"format {fields.get('format')}, this version reads {_FORMAT}")
            header = cls(**fields)
        except (ValueError, TypeError) as error:
            raise UnusableFile(f"unreadable header ({error})") from error
        numbers = (header.seq, header.size, header.graph_bytes, header.sources, header.crc32)
        if not all(isinstance(n, int) and n >= 0 for n in numbers):
            raise UnusableFile("unreadable header (bad numbers)")
        return header

    @property
    def state_bytes(self) -> int:
        """Length of the graph and the claim-to-source array, which the CRC covers."""
        return self.graph_bytes + self.sources * _SOURCE_DTYPE.itemsize


class IndexFile:
    """The saved graph of one SQLite database: loaded at start-up, saved after a long
    catch-up (in a thread, off the request's path) and at shutdown."""

    def __init__(self, path: Path, engine: Engine, save_after: int = SAVE_AFTER_CHANGES):
        self.path = path
        self._engine = engine
        self._save_after = save_after
        self._saved_seq = 0  # of the file this process last loaded or wrote
        self._tried_seq = 0  # of the last save started, successful or not
        self._saving: threading.Thread | None = None
        self._save_lock = threading.Lock()  # one save at a time in this process
        self._thread_lock = threading.Lock()

    @classmethod
    def for_database(cls, engine: Engine, settings: IndexSettings) -> IndexFile | None:
        """Where the graph of a SQLite file database is kept (``index_dir``, by default
        ``<database file>.index/``); ``None`` for other and in-memory databases."""
        url = engine.url
        database = url.database
        if (
            engine.dialect.name != "sqlite"
            or not database
            or database == ":memory:"
            or url.query.get("mode") == "memory"
        ):
            return None
        directory = settings.dir or Path(f"{Path(database).expanduser()}.index")
        return cls(directory / FILE_NAME, engine)

    # --- loading --------------------------------------------------------------------------

    def load(self, index: ApproximateIndex) -> bool:
        """Restore ``index`` from the file if it belongs to this database; otherwise leave the
        index as it is (empty at start-up, so rebuilt from the log) and log why."""
        if not self.path.exists():
            return False
        started = time.perf_counter()
        try:
            header = self._restore(index)
        except Exception as error:  # whatever is wrong with the file, the log rebuilds it
            logger.warning(
                "ignoring the saved search index %s (%s): it is rebuilt from the database",
                self.path,
                error,
            )
            return False
        self._saved_seq = self._tried_seq = header.seq
        logger.info(
            "loaded the search index from %s: %d claims up to change %d in %.1f s",
            self.path,
            header.size,
            header.seq,
            time.perf_counter() - started,
        )
        return True

    def _restore(self, index: ApproximateIndex) -> Header:
        with (
            self.path.open("rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
        ):
            header = _read_header(mapped)
            self._check_fingerprint(header)
            with memoryview(mapped) as whole:
                with whole[: header.state_bytes] as state_bytes:
                    if _crc32(state_bytes) != header.crc32:
                        raise UnusableFile("the contents do not match their checksum")
                with whole[header.graph_bytes : header.state_bytes] as sources:
                    source_of = np.frombuffer(sources, dtype=_SOURCE_DTYPE).astype(np.int32)
                state = GraphState(
                    seq=header.seq,
                    size=header.size,
                    dimension=header.dimension,
                    dtype=header.dtype,
                    connectivity=header.connectivity,
                    source_of=source_of,
                    sample_ids=tuple(int(claim_id) for claim_id in header.digests),
                )
                with whole[: header.graph_bytes] as graph:
                    index.load_graph(graph, state)
        return header

    def _check_fingerprint(self, header: Header) -> None:
        with Session(self._engine) as session:
            repository = IndexLogRepository(session)
            logged = repository.claim_logged_at(header.seq)
            if logged != header.claim_at_seq:
                raise UnusableFile(
                    f"this database's change log has claim {logged} at change {header.seq}, "
                    f"the file claim {header.claim_at_seq}: it belongs to another database"
                )
            if repository.log_summary(header.seq) != header.log_summary:
                raise UnusableFile(
                    f"this database's change log up to change {header.seq} is not the one the "
                    "file was saved from (other claims added or removed): it belongs to "
                    "another database, or to a copy of this one that went its own way"
                )
            expected = {int(claim_id): digest for claim_id, digest in header.digests.items()}
            stored = repository.stored_vectors(sorted(expected))
            gone = sorted(set(expected) - set(stored))
            removed = repository.removed_after(header.seq, gone) if gone else set()
        for claim_id, digest in expected.items():
            if claim_id in stored:
                if _digest(*stored[claim_id]) != digest:
                    raise UnusableFile(
                        f"claim {claim_id} differs from the one the file holds: it belongs to "
                        "another database"
                    )
            elif claim_id not in removed:
                raise UnusableFile(
                    f"claim {claim_id} is neither stored nor removed after change {header.seq}: "
                    "the file belongs to another database"
                )

    # --- saving ---------------------------------------------------------------------------

    def applied(self, index: ApproximateIndex) -> None:
        """After a sync: save in a thread once many changes have been applied since the last
        save (the first sync after a start over a bulk import applies them all)."""
        if not index.approximate or index.seq - self._tried_seq < self._save_after:
            return
        with self._thread_lock:
            if self._saving is not None and self._saving.is_alive():
                return
            self._tried_seq = index.seq
            # Not a daemon: a process that exits mid-save (the CLI) finishes the file first.
            self._saving = threading.Thread(
                target=self.save, args=(index,), name="crosscheck-index-save"
            )
            self._saving.start()

    def close(self, index: ApproximateIndex) -> None:
        """At shutdown: wait for a save under way, then save what has been applied since."""
        with self._thread_lock:
            saving = self._saving
        if saving is not None:
            saving.join()
        self.save(index)

    def save(self, index: ApproximateIndex) -> bool:
        """Write the graph to the file, atomically; ``False`` if nothing was written: the
        index is exact or unchanged since the last load or save, the file already holds as
        much, or the write failed (logged, and the old file is left as it was)."""
        with self._save_lock:
            if not index.approximate or index.seq <= self._saved_seq:
                return False
            self._tried_seq = max(self._tried_seq, index.seq)
            started = time.perf_counter()
            try:
                if self._holds_at_least(index.seq):
                    return False
                header = self._write(index)
            except Exception as error:  # a cache that could not be written: the log remains
                logger.warning("could not save the search index to %s: %s", self.path, error)
                return False
            if header is None:
                return False
            self._saved_seq = header.seq
            logger.info(
                "saved the search index to %s: %d claims up to change %d in %.1f s",
                self.path,
                header.size,
                header.seq,
                time.perf_counter() - started,
            )
            return True

    def _holds_at_least(self, seq: int) -> bool:
        """Whether the file is this database's and as recent (another worker saved it)."""
        try:
            with (
                self.path.open("rb") as handle,
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
            ):
                header = _read_header(mapped)
            if header.seq < seq:
                return False
            self._check_fingerprint(header)
        except (OSError, ValueError, UnusableFile):
            return False
        return True

    def _write(self, index: ApproximateIndex) -> Header | None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(directory, self.path.name)
        temporary = directory / f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        try:
            state = index.save_graph(temporary)
            if state is None:
                return None
            header = _append_state(temporary, state, self._fingerprint(state))
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)
        _sync_directory(directory)
        return header

    def _fingerprint(self, state: GraphState) -> Fingerprint:
        with Session(self._engine) as session:
            repository = IndexLogRepository(session)
            logged = repository.claim_logged_at(state.seq)
            if logged is None:
                raise UnusableFile(f"the change log has no change {state.seq}")
            summary = repository.log_summary(state.seq)
            # The claims logged last are the ones a recreated database or a diverged copy is
            # likeliest to differ in.
            tail = repository.added_last(state.seq, TAIL_SAMPLES)
            stored = repository.stored_vectors(sorted({*state.sample_ids, logged, *tail}))
        digests = {str(claim_id): _digest(*stored[claim_id]) for claim_id in sorted(stored)}
        return Fingerprint(logged, summary, digests)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What ties a saved graph to its database (see the module's docstring)."""

    claim_at_seq: int
    log_summary: str
    digests: dict[str, str]


def _append_state(path: Path, state: GraphState, fingerprint: Fingerprint) -> Header:
    """Append the claim-to-source array, the header and the trailer to a written graph."""
    sources = state.source_of.astype(_SOURCE_DTYPE).tobytes()
    with path.open("r+b") as handle:
        crc = 0
        graph_bytes = 0
        while chunk := handle.read(_CRC_CHUNK):
            crc = zlib.crc32(chunk, crc)
            graph_bytes += len(chunk)
        header = Header(
            format=_FORMAT,
            seq=state.seq,
            size=state.size,
            dimension=state.dimension,
            dtype=state.dtype,
            connectivity=state.connectivity,
            graph_bytes=graph_bytes,
            sources=len(state.source_of),
            crc32=zlib.crc32(sources, crc),
            claim_at_seq=fingerprint.claim_at_seq,
            log_summary=fingerprint.log_summary,
            digests=fingerprint.digests,
        )
        raw = header.to_json()
        handle.write(sources)
        handle.write(raw)
        handle.write(_TRAILER.pack(_MAGIC, len(raw)))
        handle.flush()
        os.fsync(handle.fileno())
    return header


def _read_header(mapped: mmap.mmap) -> Header:
    size = len(mapped)
    if size < _TRAILER.size:
        raise UnusableFile("the file is truncated")
    magic, header_length = _TRAILER.unpack(mapped[size - _TRAILER.size :])
    if magic != _MAGIC:
        raise UnusableFile("no trailer: the file is truncated or not a saved index")
    start = size - _TRAILER.size - header_length
    if start < 0:
        raise UnusableFile("the file is truncated")
    header = Header.from_json(mapped[start : size - _TRAILER.size])
    if header.state_bytes != start:
        raise UnusableFile("the lengths in the file do not add up")
    return header


def _crc32(data: memoryview) -> int:
    crc = 0
    for start in range(0, len(data), _CRC_CHUNK):
        with data[start : start + _CRC_CHUNK] as chunk:
            crc = zlib.crc32(chunk, crc)
    return crc


def _digest(source_id: int, embedding: bytes) -> str:
    return hashlib.sha256(source_id.to_bytes(8, "little") + embedding).hexdigest()[:32]


def _remove_stale_temporaries(directory: Path, name: str) -> None:
    """Delete what saves that were killed left behind (a save takes seconds, not an hour)."""
    for temporary in directory.glob(f".{name}.*.tmp"):
        try:
            if time.time() - temporary.stat().st_mtime > _STALE_TEMPORARY_S:
                temporary.unlink()
        except OSError:
            pass


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (best effort: not every file system allows it)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
