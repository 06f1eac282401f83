"""The five seed articles through the HTTP API: every expectation of shared/seeds/README.md."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings import Embedder
from app.main import create_app
from harness.bench.corpus import seed_articles
from tests.support.databases import Databases, fresh_database

RFE = "RFE/RL"
AFP = "AFP (via EmbassyPages)"
AP = "The Associated Press"
ARABIYA = "Al Arabiya English"

FURNITURE = [
    "Accessibility links",
    "Breaking News",
    "Skip to content",
    "16x9 Image",
    "Please let us know if you're having issues with commenting",
    "No media source currently available",
    "please wait",
    "0:00",
    "WATCH:",
    "27 languages in 23 countries",
    "undesirable organization",
    "click here",
    "Consular assistance",
    "Find your country",
    "With reporting by",
    "Additional reporting by",
    "Published on",
]


@pytest.fixture(scope="module")
def seeded(
    databases: Databases, embedder: Embedder
) -> Iterator[tuple[TestClient, list[dict[str, Any]]]]:
    with (
        fresh_database(databases) as url,
        TestClient(create_app(Settings(database_url=url), embedder)) as client,
    ):
        bodies = []
        for article in seed_articles():
            response = client.post("/v1/articles", json=article)
            assert response.status_code == 201, response.text
            bodies.append(response.json())
        yield client, bodies


def all_claims(client: TestClient, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every stored claim, read back now that all five articles are in."""
    claims = []
    for body in bodies:
        article = client.get(f"/v1/articles/{body['id']}").json()
        claims.extend({**claim, "source": article["source"]} for claim in article["claims"])
    return claims


def test_the_death_toll_conflict_is_reported_against_both_sources(seeded: Any) -> None:
    client, _ = seeded
    conflicts = client.get("/v1/conflicts").json()["items"]
    pairs = {frozenset((c["a"]["source"], c["b"]["source"])) for c in conflicts}
    assert pairs == {frozenset((AP, RFE)), frozenset((AP, AFP))}
    for conflict in conflicts:
        texts = {conflict["a"]["text"], conflict["b"]["text"]}
        assert any("has killed 250,000 people" in text for text in texts)
        assert any("has killed more than 270,000 people" in text for text in texts)
        spans = {q["a"]["text"] for q in conflict["quantities"]} | {
            q["b"]["text"] for q in conflict["quantities"]
        }
        assert any("250,000" in span for span in spans)
        assert any("270,000" in span for span in spans)
        assert conflict["relative_gap"] > 0
        assert conflict["similarity"] > 0


def test_no_other_conflict_is_reported(seeded: Any) -> None:
    client, bodies = seeded
    assert len(client.get("/v1/conflicts").json()["items"]) == 2
    per_article = {body["source"] + str(body["published_at"]): body for body in bodies}
    assert per_article[AP + "2016-03-14"]["conflict_count"] == 2
    assert per_article[ARABIYA + "2016-03-14"]["conflict_count"] == 0
    assert per_article[RFE + "2017-12-11"]["conflict_count"] == 0


def matched(
    claims: list[dict[str, Any]], source: str, text: str, other: str, other_text: str
) -> bool:
    for claim in claims:
        if claim["source"] == source and text in claim["text"]:
            for match in claim["matches"]:
                if match["claim"]["source"] == other and other_text in match["claim"]["text"]:
                    return True
    return False


@pytest.mark.parametrize(
    ("source", "text", "other", "other_text"),
    [
        (RFE, "more than 50 jets and helicopters", AFP, "over 50 warplanes"),
        (AFP, "over 50 warplanes", RFE, "more than 50 jets and helicopters"),
        (AFP, "the main part of our military contingents", AP, "the main part of our military"),
        (
            AFP,
            "the main part of our military contingents",
            ARABIYA,
            "the main part of our military",
        ),
        (AP, "the main part of our military contingent", ARABIYA, "the main part of our military"),
        (ARABIYA, "the main part of our military contingents", AFP, "the main part of our"),
        (RFE, "If there is seriousness in implementing", ARABIYA, "If there is seriousness"),
        (ARABIYA, "If there is seriousness in implementing", RFE, "If there is seriousness"),
    ],
)
def test_claims_that_say_the_same_thing_match(
    seeded: Any, source: str, text: str, other: str, other_text: str
) -> None:
    client, bodies = seeded
    assert matched(all_claims(client, bodies), source, text, other, other_text)


def test_the_later_withdrawal_does_not_match_the_first(seeded: Any) -> None:
    client, bodies = seeded
    claims = all_claims(client, bodies)
    later = [c for c in claims if "23 warplanes" in c["text"]]
    assert len(later) == 1
    assert later[0]["conflicts"] == []
    assert not any("50" in m["claim"]["text"] for m in later[0]["matches"])


def test_no_site_furniture_is_stored_as_a_claim(seeded: Any) -> None:
    client, bodies = seeded
    for claim in all_claims(client, bodies):
        for furniture in FURNITURE:
            assert furniture.lower() not in claim["text"].lower(), claim["text"]


def test_claims_are_never_matched_within_one_source(seeded: Any) -> None:
    client, bodies = seeded
    for claim in all_claims(client, bodies):
        assert all(m["claim"]["source"] != claim["source"] for m in claim["matches"])
        for conflict in claim["conflicts"]:
            assert conflict["a"]["source"] != conflict["b"]["source"]


def test_posting_the_seeds_again_stores_nothing_new(seeded: Any) -> None:
    client, bodies = seeded
    before = client.get("/v1/articles").json()["items"]
    for article, body in zip(seed_articles(), bodies, strict=True):
        again = client.post("/v1/articles", json=article)
        assert again.status_code == 200
        assert again.json()["id"] == body["id"]
    assert client.get("/v1/articles").json()["items"] == before
    assert len(client.get("/v1/conflicts").json()["items"]) == 2
