"""The review desk through HTTP: signing in by a key's name, the pages over the five seeds, a
review by form that the API then shows, the CSV, and every refusal (wrong key, no form token,
a desk without keys away from 127.0.0.1)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.desk.session import COOKIE, desk_key
from app.embeddings import Embedder
from app.main import create_app
from harness.bench.corpus import seed_articles
from tests.support.databases import Databases, fresh_database

KEYS = {"alice": "alice-key-0123456789", "bob": "bob-key-0123456789"}
AP = "The Associated Press"


@pytest.fixture(scope="module")
def seeded_url(databases: Databases, embedder: Embedder) -> Iterator[str]:
    """A database holding the five seed articles (and so the two AP conflicts)."""
    with fresh_database(databases) as url:
        settings = Settings(database_url=url, api_keys=KEYS)
        with TestClient(create_app(settings, embedder)) as client:
            for article in seed_articles():
                response = client.post(
                    "/v1/articles", json=article, headers={"X-API-Key": KEYS["alice"]}
                )
                assert response.status_code == 201, response.text
        yield url


@pytest.fixture
def desk(seeded_url: str, embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(database_url=seeded_url, api_keys=KEYS)
    with TestClient(create_app(settings, embedder), follow_redirects=False) as client:
        yield client


def token(html: str, action: str = "/desk/login") -> str:
    """The form token of the page's form that posts to ``action``."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" '
        r'value="([0-9a-f]+)"',
        html,
    )
    assert found, html[:2000]
    return found.group(1)


def sign_in(client: TestClient, name: str = "alice") -> None:
    page = client.get("/desk/login")
    response = client.post(
        "/desk/login", data={"key": KEYS[name], "csrf": token(page.text), "next": "/desk/"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/desk/"


def conflict_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/desk/conflicts/(\d+)', html)]


def test_pages_need_a_signed_in_reviewer(desk: TestClient) -> None:
    for path in ("/desk/", "/desk/conflicts/1", "/desk/sources", "/desk/feed.csv"):
        response = desk.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/desk/login?next=%2Fdesk%2F")


def test_a_wrong_key_is_refused_and_a_right_one_signs_its_name_in(desk: TestClient) -> None:
    page = desk.get("/desk/login")
    assert page.status_code == 200
    assert 'type="password"' in page.text
    assert 'for="key"' in page.text  # labelled
    wrong = desk.post("/desk/login", data={"key": "alice", "csrf": token(page.text)})
    assert wrong.status_code == 401
    assert "not one of the API keys of this service" in wrong.text
    assert desk.get("/desk/").status_code == 303  # still signed out

    sign_in(desk)
    cookie = next(c for c in desk.cookies.jar if c.name == COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert KEYS["alice"] not in cookie.value  # the name is kept, never the key
    feed = desk.get("/desk/")
    assert feed.status_code == 200
    assert "data-reviewer>alice<" in feed.text
    assert "script-src 'self'" in feed.headers["content-security-policy"]
    header = feed.headers.get("set-cookie", "")
    assert header == "" or "samesite=strict" in header.lower()


def test_the_session_cookie_is_strict_and_http_only(desk: TestClient) -> None:
    page = desk.get("/desk/login")
    header = page.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=strict" in header
    assert "path=/desk" in header


def test_a_form_without_its_token_is_refused(desk: TestClient) -> None:
    desk.get("/desk/login")
    assert desk.post("/desk/login", data={"key": KEYS["alice"]}).status_code == 403
    assert (
        desk.post("/desk/login", data={"key": KEYS["alice"], "csrf": "0" * 40}).status_code == 403
    )
    sign_in(desk)
    [first, *_] = conflict_ids(desk.get("/desk/").text)
    before = desk.get(f"/v1/conflicts/{first}").json()
    refused = desk.post(f"/desk/conflicts/{first}/review", data={"status": "confirmed"})
    assert refused.status_code == 403
    # A token for another form does not do either.
    other = desk.post(
        f"/desk/conflicts/{first}/review",
        data={"status": "confirmed", "csrf": token(desk.get("/desk/").text, "/desk/logout")},
    )
    assert other.status_code == 403
    assert desk.get(f"/v1/conflicts/{first}").json() == before


def test_a_review_on_the_desk_is_the_api_s_review(desk: TestClient) -> None:
    sign_in(desk, "bob")
    feed = desk.get("/desk/")
    ids = conflict_ids(feed.text)
    assert len(set(ids)) == 2  # the two AP conflicts
    assert feed.text.count(AP) == 2
    page = desk.get(f"/desk/conflicts/{ids[0]}?status=new")
    assert page.status_code == 200
    # Both claims marked in their paragraphs, the quantities inside them, the intervals drawn.
    assert page.text.count('<mark class="claim">') == 2
    assert '<strong class="quantity">250,000 people</strong>' in page.text
    assert '<strong class="quantity">more than 270,000 people</strong>' in page.text
    assert "[245000, 255000]" in page.text
    assert "(270000, +inf)" in page.text
    assert 'class="gap"' in page.text

    response = desk.post(
        f"/desk/conflicts/{ids[0]}/review",
        data={
            "status": "confirmed",
            "note": "AP's toll is older.",
            "csrf": token(page.text, f"/desk/conflicts/{ids[0]}/review"),
            "back": "status=new",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/desk/conflicts/{ids[0]}?status=new&done=confirmed"
    after = desk.get(response.headers["location"])
    assert "<td>bob</td><td>confirmed</td><td>AP&#39;s toll is older.</td>" in after.text
    api = desk.get(f"/v1/conflicts/{ids[0]}").json()
    assert (api["status"], api["reviewer"], api["note"]) == (
        "confirmed",
        "bob",
        "AP's toll is older.",
    )
    assert [r["reviewer"] for r in api["history"]] == ["bob"]
    assert ids[0] not in conflict_ids(desk.get("/desk/?status=new").text)
    assert ids[0] in conflict_ids(desk.get("/desk/?status=confirmed").text)

    rows = list(csv.DictReader(io.StringIO(desk.get("/desk/feed.csv").text)))
    assert {int(r["id"]): r["status"] for r in rows}[ids[0]] == "confirmed"
    assert len(rows) == 2
    assert {r["interval_a"] for r in rows} | {r["interval_b"] for r in rows} >= {
        "[245000, 255000]",
        "(270000, +inf)",
    }
    only_new = list(csv.DictReader(io.StringIO(desk.get("/desk/feed.csv?status=new").text)))
    assert [int(r["id"]) for r in only_new] == [ids[1]]

    sources = desk.get("/desk/sources")
    assert sources.status_code == 200
    assert "<svg" in sources.text
    assert AP in sources.text

    article_id = api["b"]["article_id"] if api["b"]["source"] == AP else api["a"]["article_id"]
    article = desk.get(f"/desk/articles/{article_id}")
    assert article.status_code == 200
    assert f'href="/desk/conflicts/{ids[0]}"' in article.text
    assert '<strong class="quantity">250,000 people</strong>' in article.text

    # Put it back for the other tests of this module.
    desk.patch(
        f"/v1/conflicts/{ids[0]}",
        json={"status": "new", "note": None},
        headers={"X-API-Key": KEYS["bob"]},
    )


def test_the_feed_filters_and_its_errors(desk: TestClient) -> None:
    sign_in(desk)
    assert len(set(conflict_ids(desk.get(f"/desk/?source={AP}&other_source=RFE/RL").text))) == 1
    assert conflict_ids(desk.get("/desk/?min_gap=0.5").text) == []
    bad = desk.get("/desk/?min_gap=2&order=sideways")
    assert "least gap must be a number from 0 to 1." in bad.text
    assert "order must be one of" in bad.text
    forged = desk.get("/desk/?page=not-a-token")
    assert forged.status_code == 400
    assert "Start again from the first page." in forged.text
    assert desk.get("/desk/conflicts/999999").status_code == 404
    assert desk.get("/desk/articles/999999").status_code == 404


def test_signing_out_needs_its_token_and_ends_the_session(desk: TestClient) -> None:
    sign_in(desk)
    feed = desk.get("/desk/")
    assert desk.post("/desk/logout").status_code == 403
    out = desk.post("/desk/logout", data={"csrf": token(feed.text, "/desk/logout")})
    assert out.status_code == 303
    assert desk.get("/desk/").status_code == 303


def test_without_keys_the_desk_is_a_local_reviewer_s_on_127_0_0_1_only(
    seeded_url: str, embedder: Embedder
) -> None:
    settings = Settings(database_url=seeded_url)
    app = create_app(settings, embedder)
    with TestClient(app, client=("127.0.0.1", 40000), follow_redirects=False) as local:
        feed = local.get("/desk/")
        assert feed.status_code == 200
        assert "No API keys are configured." in feed.text
        assert "data-reviewer>local reviewer<" in feed.text
        assert local.get("/desk/login").status_code == 303  # nothing to sign in with
    with TestClient(app, client=("192.0.2.7", 40000), follow_redirects=False) as remote:
        closed = remote.get("/desk/")
        assert closed.status_code == 403
        assert "CROSSCHECK_API_KEYS" in closed.text


def test_the_session_key_is_set_or_derived() -> None:
    derived = desk_key(None, b"k" * 32)
    assert derived == desk_key(None, b"k" * 32) != desk_key(None, b"j" * 32)
    assert derived != b"k" * 32
    assert desk_key("a secret", b"k" * 32) == desk_key("a secret", b"j" * 32) != derived
