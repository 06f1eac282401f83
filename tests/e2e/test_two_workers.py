"""``crosscheck serve --workers 2``: a key's admitted rate is its setting, not twice it, and
one scrape of /metrics is the whole instance, whichever worker answers it."""

from __future__ import annotations

import re
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


def sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    assert match is not None, f"{name}{labels} not in the scrape"
    return float(match.group(1))


@pytest.mark.slow
def test_every_scrape_of_two_workers_counts_the_whole_instance(
    server_factory: type[Server], tmp_path: Path
) -> None:
    server = server_factory(tmp_path, workers=2).start()
    key = {"X-API-Key": API_KEY}
    texts = [f"Officials said {n} people were hurt in the blast on Monday." for n in range(2, 14)]
    for text in texts:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            stored = client.post("/v1/articles", json={"source": "AP", "text": text}, headers=key)
            assert stored.status_code == 201, stored.text
    scrapes = []
    for _ in range(6):
        with httpx.Client(base_url=server.url, timeout=60) as client:
            scrapes.append(client.get("/metrics").text)
    route = '{method="POST",route="/v1/articles",status="201"}'
    for text in scrapes:
        assert sample(text, "crosscheck_http_requests_total", route) == len(texts)
        assert sample(text, "crosscheck_articles_ingested_total") == len(texts)
        assert sample(text, "crosscheck_claims_ingested_total") == len(texts)
        assert sample(text, "crosscheck_embedding_model_calls_total") >= len(texts)
    workers = {
        line for line in server.log.read_text().splitlines() if "Started server process" in line
    }
    assert len(workers) == 2
