"""HTML ingest: an article sent as its web page gives what its text gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings import Embedder
from app.main import create_app
from harness.bench.corpus import seed_articles
from tests.support.api import TOLL_B, assert_problem
from tests.support.databases import Databases, fresh_database
from tests.support.webpages import article_page

FURNITURE = [
    "cookies",
    "Accept all",
    "Politics",
    "Mideast Desk",
    "Facebook",
    "morning briefing",
    "Most read",
    "hiking",
    "300,000 last week",  # a reader's comment, with a number that would conflict
    "Privacy policy",
    "All rights reserved",
    "dataLayer",
    "addEventListener",
    "schema.org",
]


def ingest(client: TestClient, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answers = []
    for body in bodies:
        response = client.post("/v1/articles", json=body)
        assert response.status_code == 201, response.text
        answers.append(response.json())
    return answers


def conflict_pairs(client: TestClient) -> set[tuple[frozenset[str], frozenset[str], str]]:
    items = client.get("/v1/conflicts", params={"page_size": 200}).json()["items"]
    return {
        (
            frozenset((c["a"]["source"], c["b"]["source"])),
            frozenset((c["a"]["text"], c["b"]["text"])),
            c["measure"],
        )
        for c in items
    }


@pytest.fixture(scope="module")
def both(
    databases: Databases, embedder: Embedder
) -> Iterator[tuple[TestClient, list[dict[str, Any]], TestClient, list[dict[str, Any]]]]:
    """The five seeds stored as text in one store, and as pages in another: the pages carry
    only the source; title and date are read from them."""
    seeds = seed_articles()
    pages = [
        {
            "source": seed["source"],
            "html": article_page(seed["text"], seed["title"], seed["source"], seed["published_at"]),
        }
        for seed in seeds
    ]
    with (
        fresh_database(databases) as text_url,
        fresh_database(databases) as html_url,
        TestClient(create_app(Settings(database_url=text_url), embedder)) as as_text,
        TestClient(create_app(Settings(database_url=html_url), embedder)) as as_html,
    ):
        yield as_text, ingest(as_text, seeds), as_html, ingest(as_html, pages)


def test_pages_give_the_claims_of_their_text(both: Any) -> None:
    _, from_text, _, from_html = both
    for text, page in zip(from_text, from_html, strict=True):
        assert [c["text"] for c in page["claims"]] == [c["text"] for c in text["claims"]]
        quantities = [[q["text"] for q in c["quantities"]] for c in page["claims"]]
        assert quantities == [[q["text"] for q in c["quantities"]] for c in text["claims"]]


def test_title_and_date_are_read_from_the_page(both: Any) -> None:
    _, from_text, _, from_html = both
    for seed, page in zip(seed_articles(), from_html, strict=True):
        assert page["title"] == seed["title"]
        assert page["published_at"] == seed["published_at"]
    assert [p["published_at"] for p in from_html] == [t["published_at"] for t in from_text]


def test_pages_give_the_conflicts_of_their_text(both: Any) -> None:
    as_text, from_text, as_html, from_html = both
    pairs = conflict_pairs(as_html)
    assert pairs == conflict_pairs(as_text)
    assert len(pairs) == 2  # AP's 250,000 against RFE/RL's and AFP's "more than 270,000"
    assert [a["conflict_count"] for a in from_html] == [a["conflict_count"] for a in from_text]
    matches = [sum(len(c["matches"]) for c in a["claims"]) for a in from_html]
    assert matches == [sum(len(c["matches"]) for c in a["claims"]) for a in from_text]


def test_the_answer_holds_the_text_that_was_read(both: Any) -> None:
    _, _, as_html, from_html = both
    for page in from_html:
        text = page["text"]
        for needle in FURNITURE:
            assert needle not in text, needle
        for claim in page["claims"]:
            assert text[claim["start"] : claim["end"]] == claim["text"]
        assert as_html.get(f"/v1/articles/{page['id']}").json()["text"] == text


def test_sent_fields_win_over_the_page(client: TestClient) -> None:
    page = article_page(TOLL_B, "Syria talks", "AP", "2016-03-14")
    body = {"source": "AP", "html": page, "title": "Mine", "published_at": "2016-03-20"}
    response = client.post("/v1/articles", json=body)
    assert response.status_code == 201, response.text
    assert (response.json()["title"], response.json()["published_at"]) == ("Mine", "2016-03-20")
    again = client.post("/v1/articles", json={"source": "AP", "text": response.json()["text"]})
    assert again.status_code == 200  # the same text, stored once


@pytest.mark.parametrize(
    "body",
    [
        {"source": "AP"},
        {"source": "AP", "text": TOLL_B, "html": f"<html><body><p>{TOLL_B}</p></body></html>"},
    ],
    ids=["neither", "both"],
)
def test_exactly_one_of_text_and_html(client: TestClient, body: dict[str, str]) -> None:
    assert_problem(client.post("/v1/articles", json=body), 422, "exactly one of text and html")


def test_the_service_never_fetches_a_url(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fetch(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"fetched {args}")

    monkeypatch.setattr("htmldate.utils.fetch_url", fetch)
    monkeypatch.setattr("trafilatura.downloads.fetch_url", fetch)
    for html in ("http://127.0.0.1:9/article", "https://example.com/news/syria"):
        response = client.post("/v1/articles", json={"source": "AP", "html": html})
        assert_problem(response, 422, "not an HTML document")
    linked = (
        '<html><head><link rel="canonical" href="http://127.0.0.1:9/a"></head><body>'
        f"<article><p>{TOLL_B}</p></article></body></html>"
    )
    assert client.post("/v1/articles", json={"source": "AP", "html": linked}).status_code == 201
    assert client.get("/v1/articles").json()["items"][0]["source"] == "AP"


def test_a_page_without_article_text_is_422_and_batches_take_pages(client: TestClient) -> None:
    empty = "<html><head><title>Home</title></head><body><script>x()</script></body></html>"
    assert_problem(client.post("/v1/articles", json={"source": "AP", "html": empty}), 422)
    page = article_page(TOLL_B, "Syria talks", "AP", "2016-03-14")
    batch = {"articles": [{"source": "AP", "html": page}, {"source": "AFP", "html": empty}]}
    items = client.post("/v1/articles:batch", json=batch).json()["items"]
    assert [item["status"] for item in items] == [201, 422]
    assert items[0]["article"]["published_at"] == "2016-03-14"
