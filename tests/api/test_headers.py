"""Security headers: HTML pages may not be framed and say what they may load; no response is
sniffed into another type."""

from __future__ import annotations

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Route

from app.docs import page_policy
from app.headers import SecurityHeaders


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_carry_a_strict_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "http" not in policy  # nothing from anywhere else
    assert policy == page_policy(response.text)  # the inline script, by its hash
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.backends("sqlite")
def test_api_responses_are_not_sniffed(client: TestClient) -> None:
    for response in (client.get("/v1/articles"), client.get("/nothing"), client.get("/metrics")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in response.headers


def test_inline_scripts_are_allowed_by_hash_only() -> None:
    policy = page_policy("<script>alert(1)</script><script src='/x.js'></script>")
    assert "script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='" in policy


def test_html_without_a_policy_gets_one_that_allows_nothing() -> None:
    async def page(_: object) -> HTMLResponse:
        return HTMLResponse("<p>hi</p>")

    app = SecurityHeaders(Starlette(routes=[Route("/", page)]))
    response = TestClient(app).get("/")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-frame-options"] == "DENY"
