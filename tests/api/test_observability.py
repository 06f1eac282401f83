"""Request ids on every response, JSON logs that carry them, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.observability import configure_logging, request_id_from
from tests.support.api import TOLL_A, TOLL_B, post
from tests.support.databases import ClientFactory

HEX_ID = re.compile(r"[0-9a-f]{32}")


def log_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_every_response_has_a_request_id(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=2048, api_keys=["obs-key-0123456789"])
    responses = [
        client.get("/healthz"),  # 200
        client.get("/v1/articles/999"),  # 404 from the service
        client.get("/v2/nothing"),  # 404 from the router
        client.get("/v1/articles/abc"),  # 422
        client.post("/v1/articles", json={"source": "AFP", "text": "x"}),  # 401
        client.post(  # 413, from the body-size middleware
            "/v1/articles",
            json={"source": "AFP", "text": "word " * 1000},
            headers={"X-API-Key": "obs-key-0123456789"},
        ),
        client.get("/docs"),
        client.get("/metrics"),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(HEX_ID.fullmatch(i) for i in ids), ids
    assert len(set(ids)) == len(ids)


def test_the_callers_request_id_is_kept(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "upstream-42.a:b"})
    assert response.headers["x-request-id"] == "upstream-42.a:b"


@pytest.mark.parametrize("given", ["x" * 129, "has space", 'quote"s', "new\nline"])
def test_an_unusable_request_id_is_replaced(given: str) -> None:
    headers = [(b"x-request-id", given.encode())]
    assert HEX_ID.fullmatch(request_id_from(headers))


def test_a_500_is_a_problem_with_the_request_id_and_is_logged_with_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.conflicts import service

    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "get_conflict", explode)
    capsys.readouterr()
    response = client.get("/v1/conflicts/1", headers={"X-Request-ID": "trace-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "trace-500"
    assert "trace-500" in response.json()["detail"]
    lines = log_lines(capsys.readouterr().err)
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == "trace-500"
    assert "RuntimeError: boom" in error["exception"]
    [access] = [line for line in lines if line["logger"] == "crosscheck.access"]
    assert access["http"]["status"] == 500


def test_logs_are_json_lines_with_the_request_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = client.post(
        "/v1/articles",
        json={"source": "AFP", "text": TOLL_A},
        headers={"X-Request-ID": "ingest-1"},
    )
    assert response.status_code == 201
    lines = log_lines(capsys.readouterr().err)
    [access] = [line for line in lines if line["logger"] == "crosscheck.access"]
    assert access["request_id"] == "ingest-1"
    assert access["level"] == "INFO"
    assert access["http"]["method"] == "POST"
    assert access["http"]["route"] == "/v1/articles"
    assert access["http"]["status"] == 201
    assert access["http"]["duration_ms"] > 0
    assert access["time"].endswith("+00:00")


def test_text_logs_carry_the_request_id_too(
    make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(log_format="text")
    try:
        capsys.readouterr()
        client.get("/healthz", headers={"X-Request-ID": "plain-1"})
        assert "[plain-1] GET /healthz 200" in capsys.readouterr().err
    finally:
        configure_logging(Settings().logging)


def test_configuring_logs_twice_keeps_one_handler() -> None:
    import logging

    configure_logging(Settings().logging)
    configure_logging(Settings().logging)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "crosscheck", False)]
    assert len(ours) == 1


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        sample_name, _, sample_labels = sample.partition("{")
        found = ",".join(sorted(sample_labels.rstrip("}").split(","))) if sample_labels else ""
        if sample_name == name and found == wanted:
            return float(value)
    return 0.0


def test_metrics_count_requests_ingestion_and_embeddings(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    post(client, "AP", TOLL_B)
    assert client.post("/v1/articles", json={"source": "AP", "text": TOLL_B}).status_code == 200
    client.get("/v1/conflicts")
    client.get("/v1/articles/999")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        metric(
            text,
            "crosscheck_http_requests_total",
            method="POST",
            route="/v1/articles",
            status="201",
        )
        == 2
    )
    assert (
        metric(
            text,
            "crosscheck_http_requests_total",
            method="GET",
            route="/v1/articles/{article_id}",
            status="404",
        )
        == 1
    )
    assert (
        metric(
            text,
            "crosscheck_http_request_duration_seconds_count",
            method="GET",
            route="/v1/conflicts",
        )
        == 1
    )
    assert metric(text, "crosscheck_articles_ingested_total") == 2
    assert metric(text, "crosscheck_claims_ingested_total") == 2
    assert metric(text, "crosscheck_conflicts_found_total") == 1
    assert metric(text, "crosscheck_embedding_batch_size_count") == 3
    assert metric(text, "crosscheck_embedding_batch_size_sum") == 3
    assert metric(text, "crosscheck_embedding_batch_duration_seconds_count") == 3
    assert metric(text, "crosscheck_embedding_model_calls_total") >= 1


def test_unknown_paths_share_one_label(client: TestClient) -> None:
    for n in range(5):
        client.get(f"/nothing/{n}")
    text = client.get("/metrics").text
    assert "/nothing/" not in text
    assert (
        metric(
            text, "crosscheck_http_requests_total", method="GET", route="unmatched", status="404"
        )
        == 5
    )


def test_label_sets_stay_bounded_whatever_clients_send(client: TestClient) -> None:
    """1,000 trailing-slash paths once gave 1,000 label sets (18k lines of /metrics)."""

    def series() -> int:
        return sum(
            1
            for line in client.get("/metrics").text.splitlines()
            if line.startswith("crosscheck_http_request")
        )

    client.get("/v1/articles")
    before = series()
    for n in range(200):
        client.get(f"/v1/articles/{n}/", follow_redirects=False)  # 307, no route
        client.get(f"/v1/conflicts/{n}/x/", follow_redirects=False)  # 404
        client.request(f"M{n}", "/v1/articles")  # a made-up method: 405
    text = client.get("/metrics").text
    assert "/v1/articles/1/" not in text
    assert 'method="M1"' not in text
    assert (
        metric(
            text,
            "crosscheck_http_requests_total",
            method="OTHER",
            route="/v1/articles",
            status="405",
        )
        == 200
    )
    # A handful of new label sets (unmatched 307 and 404, OTHER 405, /metrics), not hundreds.
    assert series() - before < 80


@pytest.mark.backends("postgresql")
def test_database_errors_never_log_the_request_text(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL refuses a NUL in text; the error logged must not carry the article (the SQL
    parameters), only what went wrong."""
    marker = "Confidential source says the war has killed 5,000 people"
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/v1/articles", json={"source": "Leaky\u0000Wire", "text": f"{marker}.\u0000"}
    )
    assert response.status_code == 422, response.text
    logged = "\n".join(
        record.getMessage()
        + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert "unstorable value" in logged  # the error was logged...
    assert marker not in logged  # ...without the text
    assert "Leaky" not in logged
