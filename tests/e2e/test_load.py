"""Load: many clients, mixed ingest, check and feed traffic, for a fixed time, on loopback.

Then the database is counted: every accepted article is stored exactly once with all its claims,
every conflict that must exist does (one per topic with both sides stored), nothing else, and no
request got a 5xx. The sustained rate and latencies are printed (run with ``-s``) and written to
``load-report.json`` in the test's directory. Bounded: CROSSCHECK_LOAD_SECONDS (default 30) of
traffic from CROSSCHECK_LOAD_CLIENTS (default 16) clients.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import Server
from tests.support.workload import article, database_counts

KEYS = [f"load-key-{n}-0123456789" for n in range(4)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


@pytest.mark.slow
def test_mixed_traffic_loses_nothing_and_never_fails(
    server_factory: type[Server], tmp_path: Path
) -> None:
    seconds = float(os.environ.get("CROSSCHECK_LOAD_SECONDS", "30"))
    clients = int(os.environ.get("CROSSCHECK_LOAD_CLIENTS", "16"))
    server = server_factory(
        tmp_path,
        settings={
            "api_keys": KEYS,
            "rate_limit_per_minute": 1_000_000,  # the limiter runs, but does not throttle
            "log_level": "WARNING",
        },
    ).start()
    results = asyncio.run(_drive(server.url, seconds, clients))
    server.stop()

    statuses = Counter(status for _, status, _ in results["requests"])
    server_errors = {s: n for s, n in statuses.items() if s >= 500 or s == 0}
    accepted: dict[str, int] = results["accepted"]  # title + source -> article id
    stored = database_counts(server.database)

    report = _report(results, seconds, clients, statuses, stored)
    (tmp_path / "load-report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))

    assert server_errors == {}, (server_errors, server.log.read_text()[-5000:])
    assert len(accepted) > 50, report  # the test measured something
    ids = {row[0] for row in stored["articles"]}
    assert set(accepted.values()) == ids  # every accepted article, and nothing else
    assert len(stored["articles"]) == len(accepted)  # each once
    assert all(stored["claims"].get(i) == 2 for i in ids)  # with all its claims
    assert stored["claim_gaps"] == []
    assert stored["unindexed_claims"] == 0
    pairs = {t for t in results["topics"] if len(results["topics"][t]) == 2}
    assert sorted(stored["conflicts"]) == sorted((f"Report {t}",) * 2 for t in pairs)
    assert stored["integrity"] == "ok"
    assert stored["foreign_keys"] == []


async def _drive(url: str, seconds: float, clients: int) -> dict[str, Any]:
    topics = itertools.count()
    pending_sides: list[int] = []  # topics with one side sent, for another client to finish
    requests: list[tuple[str, int, float]] = []
    accepted: dict[str, int] = {}
    topics_seen: dict[int, set[int]] = defaultdict(set)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(number: int) -> None:
        rng = random.Random(number)
        headers = {"X-API-Key": KEYS[number % len(KEYS)]}
        cursor: str | None = None
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
            while time.monotonic() < deadline:
                roll = rng.random()
                started = time.perf_counter()
                if roll < 0.45:
                    if pending_sides and rng.random() < 0.7:
                        topic, side = pending_sides.pop(0), 1
                    else:
                        topic, side = next(topics), 0
                        pending_sides.append(topic)
                    body = article(topic, side)
                    response = await http.post(
                        "/v1/articles",
                        json=body,
                        headers={**headers, "Idempotency-Key": f"t{topic}-s{side}"},
                    )
                    kind = "ingest"
                    if response.status_code in (200, 201):
                        accepted[f"{body['title']}|{body['source']}"] = response.json()["id"]
                        topics_seen[topic].add(side)
                elif roll < 0.6:
                    topic = rng.randrange(1000)
                    response = await http.post(
                        "/v1/check", json={"text": article(topic, 1)["text"]}, headers=headers
                    )
                    kind = "check"
                elif roll < 0.8:
                    params: dict[str, Any] = {"order": "oldest", "page_size": 20}
                    if cursor:
                        params["page_token"] = cursor
                    response = await http.get("/v1/conflicts", params=params)
                    if response.status_code == 200:
                        cursor = response.json()["follow_token"]
                    kind = "feed"
                elif roll < 0.9:
                    response = await http.get(
                        "/v1/conflicts",
                        params={"source": "Wire A", "min_gap": 0.2, "page_size": 20},
                    )
                    kind = "feed-filtered"
                else:
                    response = await http.get("/v1/articles", params={"page_size": 20})
                    kind = "articles"
                requests.append((kind, response.status_code, time.perf_counter() - started))

    started = time.monotonic()
    await asyncio.gather(*(client_loop(n) for n in range(clients)))
    return {
        "requests": requests,
        "accepted": accepted,
        "topics": topics_seen,
        "elapsed": time.monotonic() - started,
    }


def _report(
    results: dict[str, Any],
    seconds: float,
    clients: int,
    statuses: Counter[int],
    stored: dict[str, Any],
) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _, elapsed in results["requests"]:
        by_kind[kind].append(elapsed)
    everything = [elapsed for _, _, elapsed in results["requests"]]

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "count": len(values),
            "p50_ms": round(1000 * percentile(values, 0.50), 1),
            "p95_ms": round(1000 * percentile(values, 0.95), 1),
            "p99_ms": round(1000 * percentile(values, 0.99), 1),
            "mean_ms": round(1000 * statistics.fmean(values), 1) if values else 0.0,
        }

    return {
        "clients": clients,
        "seconds": round(results["elapsed"], 1),
        "requests": len(everything),
        "requests_per_second": round(len(everything) / results["elapsed"], 1),
        "articles_per_second": round(len(results["accepted"]) / results["elapsed"], 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "all": summary(everything),
        **{kind: summary(values) for kind, values in sorted(by_kind.items())},
        "stored_articles": len(stored["articles"]),
        "stored_conflicts": len(stored["conflicts"]),
        "budget_seconds": seconds,
    }
