"""``crosscheck serve --workers 2``: a key's admitted rate is its setting, not twice it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.server import API_KEY, Server


@pytest.mark.slow
def test_two_workers_admit_one_burst_between_them(
    server_factory: type[Server], tmp_path: Path
) -> None:
    # A refill of one a minute: nothing refills while the test runs, so what is admitted is
    # the burst, exactly, if and only if the two workers share their buckets.
    server = server_factory(
        tmp_path, settings={"rate_limit_per_minute": 1, "rate_limit_burst": 10}, workers=2
    ).start()
    statuses = []
    for _ in range(40):
        # A new connection each time, so that both workers' accept loops get some.
        with httpx.Client(base_url=server.url, timeout=30) as client:
            response = client.get("/v1/articles", headers={"X-API-Key": API_KEY})
        statuses.append(response.status_code)
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == 30
    workers = {
        line for line in server.log.read_text().splitlines() if "Started server process" in line
    }
    assert len(workers) == 2  # two processes served
