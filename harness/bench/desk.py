"""``crosscheck bench --sections desk``: the review desk's pages over a large feed.

A SQLite store is filled with synthetic claims (``harness.bench.store``) and ``conflicts``
conflicts between claims of neighbouring articles (so of two outlets), each with the quantity
pair of the seeds' death tolls, a spread of severities and gaps, and one in five reviewed (with
its history row). The API then serves the desk in a child process; a reviewer signs in and
every page is asked for in turn, ``rounds x 10`` times each: the feed (as opened, ``new`` only,
most severe first, one pair of outlets, a least gap, its second page, a text query), a
conflict, an article, the sources. The figure is the server's own time for each request, read
from its access log by request id (what ``crosscheck.access`` measures, from the first byte in
to the last byte out); the client's round trip is kept beside it.
"""

from __future__ import annotations

import html
import json
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select, text

from app.config import Settings
from app.core.analysis import analyse_claim
from app.core.compare import compare_claims
from app.db.codecs import details_to_json
from app.db.migrate import migrate_database
from app.db.models import Conflict, ConflictReviewRecord, Source
from app.db.session import create_db_engine
from harness.bench.server import ApiServer
from harness.bench.store import CLAIMS_PER_ARTICLE, fill

KEY = "bench-desk-key-0123456789abcdef"
REPEATS = 10  # requests of each page per round, interleaved with the other pages
_CHUNK = 20_000
_TOLLS = (
    "Several ceasefires and peace talks have been attempted since the conflict, which has "
    "killed 250,000 people, broke out five years ago this week.",
    "The UN-hosted negotiations in Geneva are the latest effort to end violence that has "
    "killed more than 270,000 people and displaced millions.",
)


def bench_desk(
    conflicts: int,
    rounds: int,
    texts: list[str],
    vectors: np.ndarray,
    settings: Settings,
    env: dict[str, str],
    workdir: Path,
    console: Console,
) -> dict[str, Any]:
    """Fill a store, serve it, time every desk page; the figures as a JSON-ready dict."""
    database = workdir / "desk.db"
    for stale in workdir.glob("desk.db*"):
        if stale.is_dir():
            import shutil

            shutil.rmtree(stale)
        else:
            stale.unlink()
    url = f"sqlite:///{database}"
    migrate_database(url)
    engine = create_db_engine(settings.database.model_copy(update={"url": url}))
    start = time.perf_counter()
    fill(engine, conflicts + CLAIMS_PER_ARTICLE, texts, vectors)
    _add_conflicts(engine, conflicts)
    fill_s = time.perf_counter() - start
    with engine.connect() as connection:
        outlets = connection.execute(select(Source.name).order_by(Source.id).limit(2)).scalars()
        first, second = list(outlets)
    engine.dispose()
    console.print(f"  {conflicts:,} conflicts stored in {fill_s:.0f} s")

    log = workdir / "desk-api.log"
    log.unlink(missing_ok=True)
    server_env = {
        **env,
        "CROSSCHECK_DATABASE_URL": url,
        "CROSSCHECK_API_KEYS": json.dumps({"bench": KEY}),
    }
    with (
        ApiServer(server_env, log) as server,
        httpx.Client(base_url=server.url, timeout=600) as client,
    ):
        _sign_in(client)
        feed = client.get("/desk/")
        feed.raise_for_status()
        next_link = re.search(r'rel="next" href="([^"]+)"', feed.text)
        assert next_link, "the feed has one page only"
        pages = {
            "feed": ["/desk/"],
            "feed, new only": ["/desk/?status=new"],
            "feed, most severe first": ["/desk/?order=severity"],
            "feed, one pair of outlets": [f"/desk/?source={first}&other_source={second}"],
            "feed, least gap 0.5": ["/desk/?min_gap=0.5"],
            "feed, second page": [html.unescape(next_link.group(1))],
            "feed, text query (embeds q)": ["/desk/?q=people+killed+in+the+war"],
            "conflict": [
                f"/desk/conflicts/{1 + i * (conflicts // REPEATS)}" for i in range(REPEATS)
            ],
            "article": [
                f"/desk/articles/{1 + i * (conflicts // CLAIMS_PER_ARTICLE // REPEATS)}"
                for i in range(REPEATS)
            ],
            "sources": ["/desk/sources"],
        }
        for paths in pages.values():  # once each, untimed: templates compiled, caches warm
            client.get(paths[0]).raise_for_status()
        requests: dict[str, list[tuple[str, float]]] = {name: [] for name in pages}
        for _ in range(rounds):
            for i in range(REPEATS):
                for name, paths in pages.items():
                    began = time.perf_counter()
                    response = client.get(paths[i % len(paths)])
                    elapsed = (time.perf_counter() - began) * 1000
                    response.raise_for_status()
                    requests[name].append((response.headers["x-request-id"], elapsed))
    durations = _server_durations(log)
    figures: dict[str, Any] = {}
    for name, seen in requests.items():
        server_ms = [durations[request_id] for request_id, _ in seen]
        figures[name] = {
            "server_ms_p50": statistics.median(server_ms),
            "server_ms_p95": float(np.percentile(server_ms, 95)),
            "server_ms_max": max(server_ms),
            "client_ms_p50": statistics.median(ms for _, ms in seen),
            "requests": len(seen),
        }
    return {"conflicts": conflicts, "database": "sqlite", "fill_s": fill_s, "pages": figures}


def _sign_in(client: httpx.Client) -> None:
    page = client.get("/desk/login")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert token, "no sign-in form"
    signed = client.post("/desk/login", data={"key": KEY, "csrf": token.group(1), "next": "/desk/"})
    assert signed.status_code in (200, 303), signed.text


def _server_durations(log: Path) -> dict[str, float]:
    """Request id -> the server's time for it, in ms, from the JSON access log."""
    found = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "crosscheck.access" and "request_id" in entry:
            found[entry["request_id"]] = float(entry["http"]["duration_ms"])
    return found


def _add_conflicts(engine: Any, count: int) -> None:
    """``count`` conflicts between claim k and claim k + 20 (the next article: another outlet),
    with the seeds' quantity pair; one in ten confirmed and one in ten dismissed."""
    verdict = compare_claims(analyse_claim(_TOLLS[0]), analyse_claim(_TOLLS[1]), 0.8)
    assert verdict.conflicts, verdict.reason
    details = details_to_json(tuple(verdict.conflicts))
    head = verdict.conflicts[0]
    rng = np.random.default_rng(7)
    began = datetime(2026, 1, 1, tzinfo=UTC)
    for low in range(0, count, _CHUNK):
        rows, reviews = [], []
        for k in range(low, min(count, low + _CHUNK)):
            status = {0: "confirmed", 1: "dismissed"}.get(k % 10, "new")
            at = began + timedelta(seconds=30 * k)
            reviewed = at + timedelta(hours=1) if status != "new" else None
            rows.append(
                {
                    "id": k + 1,
                    "claim_a_id": k + 1,
                    "claim_b_id": k + 1 + CLAIMS_PER_ARTICLE,
                    "similarity": float(rng.uniform(0.5, 0.95)),
                    "relative_gap": float(rng.uniform(0.01, 1.0)),
                    "severity": float(rng.uniform(0, 1)),
                    "measure": head.measure,
                    "rule": head.rule,
                    "reason": verdict.reason,
                    "details": details,
                    "created_at": at,
                    "status": status,
                    "note": "bench" if reviewed else None,
                    "reviewed_at": reviewed,
                    "reviewed_by": "bench" if reviewed else None,
                }
            )
            if reviewed is not None:
                reviews.append(
                    {
                        "conflict_id": k + 1,
                        "reviewer": "bench",
                        "status": status,
                        "note": "bench",
                        "created_at": reviewed,
                    }
                )
        with engine.begin() as connection:
            connection.execute(insert(Conflict), rows)
            if reviews:
                connection.execute(insert(ConflictReviewRecord), reviews)
    with engine.begin() as connection:  # the outlets, as the service stores them
        connection.execute(
            text(
                "UPDATE conflicts SET "
                "source_a_id = (SELECT source_id FROM claims WHERE claims.id = claim_a_id), "
                "source_b_id = (SELECT source_id FROM claims WHERE claims.id = claim_b_id)"
            )
        )


def print_desk(desk: dict[str, Any], console: Console) -> None:
    table = Table(title=f"desk pages, SQLite, {desk['conflicts']:,} conflicts (server time)")
    for column in ("page", "p50 ms", "p95 ms", "max ms", "client p50 ms"):
        table.add_column(column)
    for name, row in desk["pages"].items():
        table.add_row(
            name,
            f"{row['server_ms_p50']:.1f}",
            f"{row['server_ms_p95']:.1f}",
            f"{row['server_ms_max']:.1f}",
            f"{row['client_ms_p50']:.1f}",
        )
    console.print(table)
