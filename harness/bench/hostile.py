"""Hostile input: the CPU seconds one request costs at the largest text the service accepts,
for each class of input that once made (or could make) an analyser super-linear.

Each class is a short unit repeated up to ``CROSSCHECK_MAX_TEXT_CHARS`` (200,000 by default),
or one long run of a character. Each text is sent as one ``POST /v1/check`` and as one
``POST /v1/articles`` (ingest: the same analysis, then the store) to the API in a child process;
the figure is the CPU time (user + system) the API's process used for that request, read from
the kernel before and after (``ApiServer.cpu_s``), so the load of other processes on the machine
does not count. The classes are in ``harness.hostile_inputs``;
``tests/core/test_hostile_classes.py`` runs them through the analysers alone, with a wide
CPU-time bound.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from harness.bench.server import ApiServer
from harness.hostile_inputs import INPUT_CLASSES, InputClass

ENDPOINTS = ("/v1/check", "/v1/articles")


def _body(endpoint: str, text: str, round_: int) -> bytes:
    """The request body, UTF-8 without escapes (escaped, some classes would pass the body
    limit before the text limit)."""
    if endpoint == "/v1/articles":
        # A distinct text each round: a duplicate would still be analysed, but say so plainly.
        payload: dict[str, Any] = {"source": f"hostile-{round_}", "text": text}
    else:
        payload = {"text": text}
    return json.dumps(payload, ensure_ascii=False).encode()


def measure_hostile(
    server: ApiServer,
    size: int,
    rounds: int,
    console: Console,
    classes: Sequence[InputClass] = INPUT_CLASSES,
) -> dict[str, Any]:
    """CPU seconds of the API per request, for each class and endpoint, ``rounds`` times."""
    out: dict[str, Any] = {"size_chars": size, "classes": {}}
    with httpx.Client(base_url=server.url, timeout=600) as client:
        client.post("/v1/check", json={"text": "Warm-up claim of 3 words."})
        for input_class in classes:
            text = input_class.text(size)
            entry: dict[str, Any] = {"what": input_class.what, "endpoints": {}}
            for endpoint in ENDPOINTS:
                cpu: list[float] = []
                statuses: list[int] = []
                for round_ in range(rounds):
                    body = _body(endpoint, text, round_)
                    before = server.cpu_s()
                    response = client.post(
                        endpoint, content=body, headers={"Content-Type": "application/json"}
                    )
                    cpu.append(server.cpu_s() - before)
                    statuses.append(response.status_code)
                entry["endpoints"][endpoint] = {
                    "cpu_s_runs": cpu,
                    "cpu_s_max": max(cpu),
                    "cpu_s_median": float(statistics.median(cpu)),
                    "statuses": sorted(set(statuses)),
                }
            entry["worst_cpu_s"] = max(e["cpu_s_max"] for e in entry["endpoints"].values())
            out["classes"][input_class.name] = entry
            console.print(
                f"  {input_class.name}: worst {entry['worst_cpu_s']:.3f} CPU s "
                + ", ".join(
                    f"{endpoint} {e['cpu_s_max']:.3f} ({'/'.join(map(str, e['statuses']))})"
                    for endpoint, e in entry["endpoints"].items()
                )
            )
    out["worst_cpu_s"] = max(c["worst_cpu_s"] for c in out["classes"].values())
    return out


def hostile_section(
    env: dict[str, str], log: Path, size: int, rounds: int, console: Console
) -> dict[str, Any]:
    """Start the API with ``env`` (a migrated database) and measure every class."""
    with ApiServer(env, log) as server:
        return measure_hostile(server, size, rounds, console)


def print_hostile(hostile: dict[str, Any], console: Console) -> None:
    table = Table(
        title=f"hostile input: CPU s of one request at {hostile['size_chars']:,} chars (worst)"
    )
    for column in ("class", "/v1/check", "/v1/articles", "statuses", "worst"):
        table.add_column(column)
    for name, entry in hostile["classes"].items():
        check, ingest = (entry["endpoints"][e] for e in ENDPOINTS)
        statuses = "/".join(
            ",".join(map(str, entry["endpoints"][e]["statuses"])) for e in ENDPOINTS
        )
        table.add_row(
            name,
            f"{check['cpu_s_max']:.3f}",
            f"{ingest['cpu_s_max']:.3f}",
            statuses,
            f"{entry['worst_cpu_s']:.3f}",
        )
    console.print(table)
