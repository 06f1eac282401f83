"""``crosscheck bench``: the figures of docs/performance.md, measured side by side in one run.

1. **Embedding**: plain sentence-transformers ``encode`` of the benchmark's claims (the
   baseline), then each backend's speed relative to it and its quality against it: top-10
   neighbour overlap on real claims, and verdicts changed on the seeds and the development sets.
2. **Ingest**: articles made of real sentences posted one after another to
   ``POST /v1/articles`` of the API running in a child process, then the same articles into a
   new store through ``POST /v1/articles:batch``; claims stored per second, each way.
3. **Check**: for each database and store size, ``POST /v1/check`` with one claim: p50 and p95
   latency from one client, throughput with one and with eight concurrent clients, and the API
   process's resident memory. Stores are filled as ``harness.bench.store`` describes.
4. **Hostile input**: the CPU seconds of one ``POST /v1/check`` and one ``POST /v1/articles``
   at the largest text accepted, for each input class of ``harness.bench.hostile``.

Every figure is the median of ``rounds`` repetitions; the raw values are kept in the JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
from rich.console import Console
from rich.table import Table

from app.config import Settings
from app.core.claims import extract_claims
from app.embeddings import Embedder, SentenceTransformerEmbedder, bundled_model_path, load_model
from harness.bench.corpus import (
    OUTLETS,
    Corpus,
    articles,
    claim_sentences,
    dev_pairs,
    load_corpus,
    seed_articles,
)
from harness.bench.desk import bench_desk, print_desk
from harness.bench.hostile import hostile_section, print_hostile
from harness.bench.server import ApiServer
from harness.bench.store import fill

BACKENDS = ("sentence-transformers", "onnx", "onnx-int8")
CONCURRENT_CLIENTS = 8
PG_SHARED_BUFFERS = "4GB"


@dataclass(frozen=True)
class BenchConfig:
    """What one run measures."""

    command: str
    out: Path
    quick: bool = False
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000)
    databases: Sequence[str] = ("sqlite", "postgresql")
    rounds: int = 3
    sections: Sequence[str] = ("embedding", "ingest", "check", "hostile")
    workers: Sequence[int] = (1, 2)
    # /v1/check also with keyword neighbours (CROSSCHECK_LEXICAL_NEIGHBOURS): one worker,
    # between two semantic-only runs on the same store (0: not measured).
    lexical_neighbours: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "crosscheck-bench")

    @property
    def ingest_articles(self) -> int:
        return 15 if self.quick else 60

    @property
    def check_requests(self) -> int:
        return 100 if self.quick else 300

    @property
    def stress_pairs(self) -> int | None:
        return 500 if self.quick else None

    @property
    def desk_conflicts(self) -> int:
        return 10_000 if self.quick else 100_000


def run_bench(config: BenchConfig, console: Console) -> dict[str, Any]:
    """Measure everything, print the table, write ``config.out``; returns the results."""
    settings = Settings()
    config.workdir.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus()
    results: dict[str, Any] = {
        "command": config.command,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "rounds": config.rounds,
        "settings": {
            "embedding_backend": settings.embedding.backend,
            "embedding_threads": settings.embedding.threads,
            "embedding_batch_size": settings.embedding.batch_size,
            "embedding_max_wait_ms": settings.embedding.max_wait_ms,
            "index_exact_below": settings.index.exact_below,
            "index_connectivity": settings.index.connectivity,
            "index_expansion_search": settings.index.expansion_search,
            "index_dtype": settings.index.dtype,
        },
    }
    pool = claim_sentences(corpus)
    posts = [articles(pool, config.ingest_articles, seed=r) for r in range(config.rounds)]
    claims = [
        claim.text
        for article in posts[0]
        for claim in extract_claims(article["text"], title=article["title"])
    ]
    if "embedding" in config.sections:
        console.print("[bold]embedding backends[/bold]")
        results["embedding"] = _embedding(config, corpus, claims, settings, console)
        _save(results, config.out)
    if "ingest" in config.sections:
        console.print("[bold]ingest through HTTP[/bold]")
        baseline = results.get("embedding", {}).get("encode_claims_per_s")
        results["ingest"] = _ingest(config, posts, settings, baseline, console)
        _save(results, config.out)
    results["check"] = {}
    databases = config.databases if "check" in config.sections else ()
    wanted = databases or "desk" in config.sections
    vectors = _pool_vectors(corpus, settings, console) if wanted else np.zeros((0, 0))
    if "desk" in config.sections:
        console.print("[bold]desk pages[/bold]")
        results["desk"] = bench_desk(
            config.desk_conflicts,
            config.rounds,
            corpus.pool,
            vectors,
            settings,
            _server_env(settings, ""),
            config.workdir,
            console,
        )
        _save(results, config.out)
    for database in databases:
        console.print(f"[bold]check on {database}[/bold]")
        results["check"][database] = {"sizes": {}}
        _check(
            config,
            corpus,
            vectors,
            database,
            settings,
            console,
            results["check"][database],
            lambda: _save(results, config.out),
        )
    if "hostile" in config.sections:
        console.print("[bold]hostile input[/bold]")
        results["hostile"] = _hostile(config, settings, console)
        _save(results, config.out)
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_after"] = os.getloadavg()
    _save(results, config.out)
    print_table(results, console)
    return results


def _save(results: dict[str, Any], out: Path) -> None:
    """Write the results so far: a long run that fails late still leaves its figures."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def _machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        flags = Path("/proc/cpuinfo").read_text()
        vnni = "avx512_vnni" in flags or "avx_vnni" in flags
    except OSError:
        vnni = False
    import psutil

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "vnni": vnni,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_average_before": os.getloadavg(),
    }


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _rate(encode: Callable[[Sequence[str]], Any], texts: Sequence[str]) -> float:
    start = time.perf_counter()
    encode(texts)
    return len(texts) / (time.perf_counter() - start)


# --- 1. embedding backends --------------------------------------------------------------


def top10_overlap(reference: np.ndarray, other: np.ndarray, k: int = 10) -> float:
    """Mean share of each text's k nearest texts (itself left out) that both embeddings agree on."""

    def top(vectors: np.ndarray) -> np.ndarray:
        similarities = vectors @ vectors.T
        np.fill_diagonal(similarities, -np.inf)
        return np.argsort(-similarities, axis=1)[:, :k]

    return float(
        np.mean([len(set(a) & set(b)) / k for a, b in zip(top(reference), top(other), strict=True)])
    )


def _verdicts(embedder: Embedder, rows: list[Any], settings: Settings) -> list[str]:
    from app.pipeline import CheckPolicy
    from harness.evaluate import judge_pairs

    premises = embedder.encode([r.premise for r in rows])
    hypotheses = embedder.encode([r.hypothesis for r in rows])
    similarities = np.einsum("ij,ij->i", premises, hypotheses).tolist()
    policy = CheckPolicy.from_settings(settings).compare
    return [v.relation for v in judge_pairs(rows, similarities, policy)]


def seed_outcome(embedder: Embedder, workdir: Path) -> set[tuple[str, str, str]]:
    """(claim, relation, other claim) for every match and conflict found ingesting the seeds."""
    from fastapi.testclient import TestClient

    from app.db.migrate import migrate_database
    from app.main import create_app

    database = workdir / "seeds.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    migrate_database(url)
    found: set[tuple[str, str, str]] = set()
    with TestClient(create_app(Settings(database_url=url), embedder)) as client:
        for article in seed_articles():
            body = client.post("/v1/articles", json=article).json()
            for claim in body["claims"]:
                for match in claim["matches"]:
                    found.add((claim["text"], "agree", match["claim"]["text"]))
                for conflict in claim["conflicts"]:
                    texts = {conflict["a"]["text"], conflict["b"]["text"]} - {claim["text"]}
                    found.add((claim["text"], "conflict", next(iter(texts), claim["text"])))
    database.unlink(missing_ok=True)
    return found


def _embedding(
    config: BenchConfig, corpus: Corpus, claims: list[str], settings: Settings, console: Console
) -> dict[str, Any]:
    """Speed on the claims of the ingest articles, quality on real claims and the dev sets."""
    real = corpus.real
    dev = {
        "RTE_Quant": dev_pairs("RTE_Quant"),
        "StressTest": dev_pairs("StressTest", config.stress_pairs),
    }
    path = settings.embedding.model_path or bundled_model_path()
    torch_model = SentenceTransformerEmbedder(
        path, settings.embedding.batch_size, settings.embedding.torch_threads
    )
    torch_model.encode(claims[:64])  # warm-up
    baseline = [_rate(torch_model.encode, claims) for _ in range(config.rounds)]
    console.print(f"  torch fp32 encode: {_median(baseline):.1f} claims/s")
    reference_real = torch_model.encode(real)
    reference_dev = {name: _verdicts(torch_model, rows, settings) for name, rows in dev.items()}
    reference_seeds = seed_outcome(torch_model, config.workdir)
    out: dict[str, Any] = {
        "claims": len(claims),
        "overlap_texts": len(real),
        "dev_pairs": {name: len(rows) for name, rows in dev.items()},
        "encode_claims_per_s": _median(baseline),
        "encode_claims_per_s_runs": baseline,
        "backends": {},
    }
    for backend in BACKENDS:
        if backend == "sentence-transformers":
            model: Embedder = torch_model
            rates = baseline
        else:
            model = load_model(settings.embedding.model_copy(update={"backend": backend}))
            model.encode(claims[:64])
            rates = [_rate(model.encode, claims) for _ in range(config.rounds)]
        changes = {
            name: sum(
                a != b
                for a, b in zip(reference_dev[name], _verdicts(model, rows, settings), strict=True)
            )
            for name, rows in dev.items()
        }
        seeds = seed_outcome(model, config.workdir) ^ reference_seeds
        changes["seed_conflicts"] = sum(relation == "conflict" for _, relation, _ in seeds)
        changes["seed_matches"] = sum(relation == "agree" for _, relation, _ in seeds)
        entry = {
            "claims_per_s": _median(rates),
            "claims_per_s_runs": rates,
            "speed_vs_torch_fp32": _median(rates) / _median(baseline),
            "top10_overlap": top10_overlap(reference_real, model.encode(real)),
            "verdict_changes": changes,
        }
        out["backends"][backend] = entry
        console.print(
            f"  {backend}: {entry['claims_per_s']:.1f} claims/s "
            f"(x{entry['speed_vs_torch_fp32']:.2f}), overlap {entry['top10_overlap']:.3f}, "
            f"verdicts changed {changes}"
        )
    return out


# --- 2. ingest ----------------------------------------------------------------------------


def _server_env(settings: Settings, database_url: str) -> dict[str, str]:
    return {
        "CROSSCHECK_DATABASE_URL": database_url,
        "CROSSCHECK_EMBEDDING_BACKEND": settings.embedding.backend,
        "CROSSCHECK_EMBEDDING_CACHE_DIR": str(settings.embedding.cache_dir),
        "CROSSCHECK_RATE_LIMIT_PER_MINUTE": "0",  # the bench is one client sending fast
        "CROSSCHECK_BATCH_ARTICLES_PER_MINUTE": "0",
    }


def _ingest(
    config: BenchConfig,
    posts_by_round: list[list[dict[str, Any]]],
    settings: Settings,
    baseline: float | None,
    console: Console,
) -> dict[str, Any]:
    """Claims stored per second through HTTP, and the ratios to plain encodes of the same
    claims (torch fp32, when the embedding section ran, and the serving backend)."""
    from app.db.migrate import migrate_database

    rates, batched, same_backend = [], [], []
    model = load_model(settings.embedding)
    batch_size = settings.limits.max_batch_articles
    for round_ in range(config.rounds):
        posts = posts_by_round[round_]
        claim_texts = [c.text for a in posts for c in extract_claims(a["text"], title=a["title"])]
        same_backend.append(_rate(model.encode, claim_texts))
        database = config.workdir / "ingest.db"
        database.unlink(missing_ok=True)
        url = f"sqlite:///{database}"
        migrate_database(url)
        with (
            ApiServer(_server_env(settings, url), config.workdir / "api.log") as server,
            httpx.Client(base_url=server.url, timeout=120) as client,
        ):
            client.post("/v1/check", json={"text": "Warm-up claim of 3 words."})
            stored = 0
            start = time.perf_counter()
            for article in posts:
                response = client.post("/v1/articles", json=article)
                response.raise_for_status()
                stored += response.json()["claim_count"]
            rates.append(stored / (time.perf_counter() - start))
        database.unlink(missing_ok=True)
        # The same articles again into a new store, through POST /v1/articles:batch.
        migrate_database(url)
        with (
            ApiServer(_server_env(settings, url), config.workdir / "api.log") as server,
            httpx.Client(base_url=server.url, timeout=600) as client,
        ):
            client.post("/v1/check", json={"text": "Warm-up claim of 3 words."})
            stored = 0
            start = time.perf_counter()
            for first in range(0, len(posts), batch_size):
                chunk = posts[first : first + batch_size]
                response = client.post("/v1/articles:batch", json={"articles": chunk})
                response.raise_for_status()
                items = response.json()["items"]
                assert all(item["status"] == 201 for item in items), items
                stored += sum(item["article"]["claim_count"] for item in items)
            batched.append(stored / (time.perf_counter() - start))
        database.unlink(missing_ok=True)
    out = {
        "articles": config.ingest_articles,
        "claims_per_round": len(claim_texts),
        "ingest_claims_per_s": _median(rates),
        "ingest_claims_per_s_runs": rates,
        "batch_size": batch_size,
        "batch_ingest_claims_per_s": _median(batched),
        "batch_ingest_claims_per_s_runs": batched,
        "batch_speedup": _median(batched) / _median(rates),
        "ingest_ratio": _median(rates) / baseline if baseline else None,
        "same_backend_encode_claims_per_s": _median(same_backend),
        "ingest_ratio_same_backend": _median(rates) / _median(same_backend),
    }
    console.print(
        f"  {out['ingest_claims_per_s']:.1f} claims/s one article per POST, "
        f"{out['batch_ingest_claims_per_s']:.1f} in batches of {batch_size} "
        f"(x{out['batch_speedup']:.2f}); ratio to torch encode "
        f"{out['ingest_ratio'] or float('nan'):.2f}, to {settings.embedding.backend} encode "
        f"{out['ingest_ratio_same_backend']:.2f}"
    )
    return out


# --- 3. check -----------------------------------------------------------------------------


def _pool_vectors(corpus: Corpus, settings: Settings, console: Console) -> np.ndarray:
    """The serving model's vectors of every corpus sentence, cached between runs."""
    texts = corpus.pool
    key = hashlib.sha256(("\n".join(texts) + settings.embedding.backend).encode()).hexdigest()[:12]
    cache = Path("bench") / f"pool-{key}.npy.tmp"
    if cache.exists():
        return np.asarray(np.load(cache), dtype=np.float32)
    console.print(f"  embedding the {len(texts)} corpus sentences for the large stores")
    vectors = load_model(settings.embedding).encode(texts)
    cache.parent.mkdir(exist_ok=True)
    with cache.open("wb") as handle:
        np.save(handle, vectors)
    return vectors


def _queries(corpus: Corpus) -> list[dict[str, str]]:
    short = [t for t in corpus.real if 20 <= len(t) <= 250]
    return [
        {"text": text, "source": OUTLETS[i % len(OUTLETS)], "published_at": "2016-03-15"}
        for i, text in enumerate(short)
    ]


def _latencies(client: httpx.Client, bodies: list[dict[str, str]]) -> tuple[list[float], float]:
    latencies = []
    start = time.perf_counter()
    for body in bodies:
        began = time.perf_counter()
        client.post("/v1/check", json=body).raise_for_status()
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies, len(bodies) / (time.perf_counter() - start)


def _concurrent_throughput(url: str, bodies: list[dict[str, str]]) -> float:
    def worker(chunk: list[dict[str, str]]) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            for body in chunk:
                client.post("/v1/check", json=body).raise_for_status()

    chunks = [bodies[i::CONCURRENT_CLIENTS] for i in range(CONCURRENT_CLIENTS)]
    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        list(pool.map(worker, chunks))
    return len(bodies) / (time.perf_counter() - start)


def _database_url(database: str, workdir: Path) -> tuple[str, Any]:
    if database == "sqlite":
        path = workdir / "store.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    import pgserver
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    pgdata = workdir / "pgdata"
    shutil.rmtree(pgdata, ignore_errors=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    admin_url = make_url(server.get_uri("postgres")).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    # pgserver starts with PostgreSQL's default 128 MB of shared_buffers. pgvector's HNSW index
    # is meant to be held in memory, and at a million claims it is about 1 GB (the table
    # another 1.6 GB): size the buffers as a deployment on this machine would.
    with admin.connect() as connection:
        connection.execute(text(f"ALTER SYSTEM SET shared_buffers = '{PG_SHARED_BUFFERS}'"))
    admin.dispose()
    stop = ["-w", "stop"]
    pgserver.pg_ctl(stop, pgdata=server.pgdata, user=server.system_user)  # type: ignore[attr-defined]
    server.ensure_postgres_running()
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS bench"))
        connection.execute(text("CREATE DATABASE bench"))
    admin.dispose()
    url = make_url(server.get_uri("bench")).set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False), server


def _check(
    config: BenchConfig,
    corpus: Corpus,
    vectors: np.ndarray,
    database: str,
    settings: Settings,
    console: Console,
    out: dict[str, Any],
    save: Callable[[], None],
) -> None:
    """Fill ``out["sizes"]`` size by size, saving after each."""
    from app.db.migrate import migrate_database
    from app.db.session import create_db_engine

    url, pg_server = _database_url(database, config.workdir)
    migrate_database(url)
    # Building an HNSW index over a million rows takes far longer than a request may.
    engine = create_db_engine(
        settings.database.model_copy(update={"url": url, "statement_timeout": 86_400})
    )
    texts = corpus.pool
    queries = _queries(corpus)
    try:
        for size in config.sizes:
            start = time.perf_counter()
            fill(engine, size, texts, vectors)
            entry: dict[str, Any] = {"fill_s": time.perf_counter() - start, "workers": {}}
            for workers in config.workers:
                run = _check_server(config, settings, url, queries, workers)
                entry["workers"][str(workers)] = run
                console.print(
                    f"  {size:>9,} claims, {workers} worker(s): p50 {run['check_ms_p50']:.1f} ms,"
                    f" p95 {run['check_ms_p95']:.1f} ms, rss {run['rss_mb']:.0f} MB per worker,"
                    f" {run['single_client_rps']:.0f} -> {run['concurrent_rps']:.0f} req/s with"
                    f" {CONCURRENT_CLIENTS} clients (x{run['concurrent_speedup']:.2f}; start"
                    f" {run['start_s']:.1f} s, first check {run['first_check_s']:.2f} s)"
                )
            if config.lexical_neighbours:
                entry["hybrid"] = _hybrid_against_semantic(config, settings, url, queries)
                console.print(
                    f"  {size:>9,} claims, 1 worker: p50 semantic-only "
                    f"{entry['hybrid']['semantic_ms_p50']:.1f} ms, with "
                    f"{config.lexical_neighbours} keyword neighbours "
                    f"{entry['hybrid']['hybrid_ms_p50']:.1f} ms (x{entry['hybrid']['ratio']:.2f})"
                )
            # The headline figures are one worker's: the configuration whose memory is quoted.
            entry.update(entry["workers"][str(config.workers[0])])
            out["sizes"][str(size)] = entry
            save()
        sizes = [str(s) for s in config.sizes]
        out["latency_growth"] = (
            out["sizes"][sizes[-1]]["check_ms_p50"] / out["sizes"][sizes[0]]["check_ms_p50"]
        )
    finally:
        engine.dispose()
        if pg_server is not None:
            pg_server.cleanup()


def _hybrid_against_semantic(
    config: BenchConfig, settings: Settings, url: str, queries: list[dict[str, str]]
) -> dict[str, Any]:
    """/v1/check p50 with keyword neighbours and without, alternating servers on one store:
    semantic, hybrid, semantic, hybrid ... (``config.rounds`` each, medians)."""
    semantic: list[float] = []
    hybrid: list[float] = []
    lexical = {"CROSSCHECK_LEXICAL_NEIGHBOURS": str(config.lexical_neighbours)}
    one_round = replace(config, rounds=1)
    for _ in range(config.rounds):
        semantic.append(_check_server(one_round, settings, url, queries, 1)["check_ms_p50"])
        hybrid.append(_check_server(one_round, settings, url, queries, 1, lexical)["check_ms_p50"])
    return {
        "lexical_neighbours": config.lexical_neighbours,
        "semantic_ms_p50": _median(semantic),
        "hybrid_ms_p50": _median(hybrid),
        "semantic_ms_p50_runs": semantic,
        "hybrid_ms_p50_runs": hybrid,
        "ratio": _median(hybrid) / _median(semantic),
    }


def _check_server(
    config: BenchConfig,
    settings: Settings,
    url: str,
    queries: list[dict[str, str]],
    workers: int,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One server with ``workers`` processes on the filled store: latency, throughput, memory."""
    env = {**_server_env(settings, url), **(extra_env or {})}
    with (
        ApiServer(env, config.workdir / "api.log", workers) as server,
        httpx.Client(base_url=server.url, timeout=1800) as client,
    ):
        start = time.perf_counter()
        client.post("/v1/check", json=queries[0]).raise_for_status()
        first_s = time.perf_counter() - start
        # Each query's first time: its neighbours' facts are not cached yet.
        cold, _ = _latencies(client, queries[101:201])
        p50s, p95s, single, concurrent = [], [], [], []
        cpu = _CpuUse(server)
        for round_ in range(config.rounds):
            bodies = [
                queries[(round_ * 997 + i) % len(queries)] for i in range(config.check_requests)
            ]
            with cpu.measure("single", len(bodies)):
                latencies, rps = _latencies(client, bodies)
            p50s.append(float(np.percentile(latencies, 50)))
            p95s.append(float(np.percentile(latencies, 95)))
            single.append(rps)
            with cpu.measure("concurrent", len(bodies)):
                concurrent.append(_concurrent_throughput(server.url, bodies))
        rss = server.rss_mb_each()
        return {
            "start_s": server.start_s,  # each worker loads or builds its index before listening
            "first_check_s": first_s,
            "check_ms_p50_first_time": float(np.percentile(cold, 50)),
            "check_ms_p50": _median(p50s),
            "check_ms_p95": _median(p95s),
            "check_ms_p50_runs": p50s,
            "check_ms_p95_runs": p95s,
            "rss_mb": max(rss),
            "rss_mb_total": sum(rss),
            "single_client_rps": _median(single),
            "concurrent_rps": _median(concurrent),
            "concurrent_rps_runs": concurrent,
            "single_client_rps_runs": single,
            "concurrent_speedup": _median(concurrent) / _median(single),
            # CPU ms per request of the API processes and of the bench's own (the clients):
            # two cores cap the 8-client rate at 2000 / (api + client) requests a second.
            "cpu_ms_per_request": cpu.per_request(),
        }


class _CpuUse:
    """CPU time per request, of the API and of this process (the load generator), by phase."""

    def __init__(self, server: ApiServer):
        self._server = server
        self._me = psutil.Process()
        self._totals: dict[str, list[float]] = {}  # phase -> [api s, client s, requests]

    @contextmanager
    def measure(self, phase: str, requests: int) -> Iterator[None]:
        api, client = self._server.cpu_s(), self._client_s()
        yield
        totals = self._totals.setdefault(phase, [0.0, 0.0, 0.0])
        totals[0] += self._server.cpu_s() - api
        totals[1] += self._client_s() - client
        totals[2] += requests

    def _client_s(self) -> float:
        times = self._me.cpu_times()
        return float(times.user + times.system)

    def per_request(self) -> dict[str, dict[str, float]]:
        return {
            phase: {"api": 1000 * api / n, "client": 1000 * client / n}
            for phase, (api, client, n) in self._totals.items()
        }


# --- 4. hostile input ---------------------------------------------------------------------


def _hostile(config: BenchConfig, settings: Settings, console: Console) -> dict[str, Any]:
    """Each input class at CROSSCHECK_MAX_TEXT_CHARS against a new SQLite store."""
    from app.db.migrate import migrate_database

    database = config.workdir / "hostile.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    migrate_database(url)
    try:
        return hostile_section(
            _server_env(settings, url),
            config.workdir / "api.log",
            settings.limits.max_text_chars,
            config.rounds,
            console,
        )
    finally:
        database.unlink(missing_ok=True)


# --- output -------------------------------------------------------------------------------


def print_table(results: dict[str, Any], console: Console) -> None:
    """The human summary of a results document."""
    if results.get("desk"):
        print_desk(results["desk"], console)
    embedding = results.get("embedding")
    if embedding:
        table = Table(
            title=f"embedding ({embedding['claims']} claims, medians of {results['rounds']})"
        )
        for column in ("backend", "claims/s", "vs torch fp32", "top-10 overlap", "changed"):
            table.add_column(column)
        for name, entry in embedding["backends"].items():
            table.add_row(
                name,
                f"{entry['claims_per_s']:.1f}",
                f"x{entry['speed_vs_torch_fp32']:.2f}",
                f"{entry['top10_overlap']:.3f}",
                ", ".join(f"{k} {v}" for k, v in entry["verdict_changes"].items()),
            )
        console.print(table)
    ingest = results.get("ingest")
    if ingest:
        if "batch_ingest_claims_per_s" in ingest:
            console.print(
                f"batch ingest: {ingest['batch_ingest_claims_per_s']:.1f} claims/s in batches "
                f"of {ingest['batch_size']} (x{ingest['batch_speedup']:.2f} single POSTs)"
            )
        console.print(
            f"ingest: {ingest['ingest_claims_per_s']:.1f} claims/s; ingest_ratio "
            f"{ingest['ingest_ratio'] or float('nan'):.2f} (vs torch encode), "
            f"{ingest['ingest_ratio_same_backend']:.2f} (vs the serving backend's encode)"
        )
    if results.get("hostile"):
        print_hostile(results["hostile"], console)
    if not results.get("check"):
        return
    table = Table(title="POST /v1/check, one claim")
    for column in (
        "database",
        "claims",
        "workers",
        "p50 ms",
        "p95 ms",
        "RSS MB each",
        "1 client rps",
        "8 clients rps",
        "speedup",
    ):
        table.add_column(column)
    for database, entry in results["check"].items():
        for size, row in entry["sizes"].items():
            for workers, run in row.get("workers", {"1": row}).items():
                table.add_row(
                    database,
                    f"{int(size):,}",
                    workers,
                    f"{run['check_ms_p50']:.2f}",
                    f"{run['check_ms_p95']:.2f}",
                    f"{run['rss_mb']:.0f}",
                    f"{run['single_client_rps']:.1f}",
                    f"{run['concurrent_rps']:.1f}",
                    f"x{run['concurrent_speedup']:.2f}",
                )
        growth = entry.get("latency_growth", float("nan"))
        table.add_row(database, "growth", "", f"x{growth:.2f}", "", "", "", "", "")
    console.print(table)
