"""The review desk in a real browser, on the five seed articles: a reviewer signs in, finds the
two AP conflicts, reads one (both claims marked in their paragraphs, the intervals drawn),
confirms it with the keyboard and a note, and dismisses the other by plain form with
JavaScript turned off; the CSV has both. A wrong key, and a post without its form token, are
refused; axe-core finds nothing to fix on any page; no request leaves 127.0.0.1.

Needs Debian's ``chromium`` and ``chromium-driver`` (``make browser``; CI fails instead of
skipping). ``CROSSCHECK_DESK_SCREENSHOTS=docs/desk`` writes the screenshots of docs/desk.md.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.bench.corpus import seed_articles
from tests.support.browser import HAVE_BROWSER, open_chromium, requested_urls, screenshot
from tests.support.receiver import wait_until
from tests.support.server import Server

if not HAVE_BROWSER and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser test: install chromium and chromium-driver")

pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason="chromium/chromedriver not installed")

KEY = "alice-key-0123456789abcdef"
AP = "The Associated Press"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture
def browsers(tmp_path: Path) -> Iterator[Any]:
    opened: list[Any] = []

    def start(javascript: bool = True) -> Any:
        driver = open_chromium(tmp_path / f"profile-{len(opened)}", javascript)
        opened.append(driver)
        return driver

    yield start
    for driver in opened:
        driver.quit()


def accessibility_violations(driver: Any) -> list[str]:
    """What axe-core (WCAG 2.1 A and AA rules) finds on the page, one line each."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}).then(r => done(JSON.stringify(r.violations)));"
    )
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in json.loads(result)
    ]


def sign_in(driver: Any, server: Server, key: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{server.url}/desk/")
    assert "/desk/login" in driver.current_url
    field = driver.find_element(By.ID, "key")
    field.clear()
    field.send_keys(key)
    button = driver.find_element(By.CSS_SELECTOR, "form.login button")
    button.click()
    # The form posts and redirects: the next page replaces this one before anything else runs.
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(button))


def conflict_links(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a.open")]


def session_client(driver: Any, server: Server) -> httpx.Client:
    """An HTTP client holding the browser's session cookie."""
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    return httpx.Client(base_url=server.url, cookies=cookies, follow_redirects=False)


@pytest.mark.slow
def test_a_reviewer_works_through_the_seed_conflicts(
    server_factory: type[Server], browsers: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    shots = Path(os.environ.get("CROSSCHECK_DESK_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    server = server_factory(tmp_path, settings={"api_keys": {"alice": KEY}}).start()
    for article in seed_articles():
        response = httpx.post(
            f"{server.url}/v1/articles", json=article, headers={"X-API-Key": KEY}, timeout=120
        )
        assert response.status_code == 201, response.text

    browser = browsers()
    problems: dict[str, list[str]] = {}

    def check_page(name: str) -> None:
        problems[name] = accessibility_violations(browser)
        for width, label, mobile in ((1280, "desktop", False), (390, "phone", True)):
            screenshot(browser, shots / f"{name}-{label}.png", width, mobile)

    # A wrong key is refused; the right one signs its name in.
    sign_in(browser, server, "not-a-key")
    assert "not one of the API keys" in browser.find_element(By.CSS_SELECTOR, ".error").text
    check_page("login")
    sign_in(browser, server, KEY)
    assert browser.find_element(By.CSS_SELECTOR, "[data-reviewer]").text == "alice"

    # The feed lists the two AP conflicts.
    rows = browser.find_elements(By.CSS_SELECTOR, "ol.feed > li")
    assert len(rows) == 2
    assert all(AP in row.text for row in rows)
    check_page("feed")
    first, second = conflict_links(browser)

    # One conflict: both claims marked in their paragraphs, the intervals drawn.
    browser.get(first)
    marks = browser.find_elements(By.CSS_SELECTOR, ".passage mark.claim")
    assert len(marks) == 2
    quantities = {q.text for q in browser.find_elements(By.CSS_SELECTOR, "mark strong.quantity")}
    assert quantities == {"250,000 people", "more than 270,000 people"}
    for mark in marks:  # inside a paragraph of its article, with its neighbours
        assert len(mark.find_elements(By.XPATH, "../../p")) >= 2
    notations = " ".join(
        t.text for t in browser.find_elements(By.CSS_SELECTOR, "svg.numberline text.notation")
    )
    assert "[245000, 255000]" in notations
    assert "(270000, +inf)" in notations
    assert browser.find_elements(By.CSS_SELECTOR, "svg.numberline rect.gap")

    # Confirm it with the keyboard: n for the note, Esc to leave it, c to confirm.
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("n")
    assert browser.switch_to.active_element.get_attribute("id") == "note"
    browser.switch_to.active_element.send_keys("AP's toll is the older one.")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    browser.find_element(By.TAG_NAME, "body").send_keys("c")
    wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, ".done"),
        timeout=30,
        what="the review to be recorded",
    )
    history = browser.find_element(By.CSS_SELECTOR, ".history table").text
    assert "alice" in history
    assert "confirmed" in history
    assert "AP's toll is the older one." in history
    check_page("conflict")

    # The "new" filter no longer lists it.
    browser.get(f"{server.url}/desk/?status=new")
    assert conflict_links(browser) == [second.split("?")[0] + "?status=new"]

    # The article and the sources pages.
    browser.get(first)
    browser.find_element(By.PARTIAL_LINK_TEXT, "The whole article").click()
    wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "article mark.claim strong.quantity"),
        timeout=30,
        what="the article page",
    )
    check_page("article")
    browser.get(f"{server.url}/desk/sources")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.pairs tbody tr")) >= 2
    check_page("sources")

    # Dismiss the other through the form, with JavaScript turned off.
    plain = browsers(javascript=False)
    sign_in(plain, server, KEY)
    plain.get(second)
    assert plain.execute_script("return 1") == 1  # WebDriver's own scripts still run
    plain.find_element(By.ID, "note").send_keys("Same toll, other date.")
    plain.find_element(By.CSS_SELECTOR, "button.dismiss").click()
    # The form posts and redirects: wait for the next page rather than race it.
    wait_until(
        lambda: plain.find_elements(By.CSS_SELECTOR, ".done"),
        timeout=30,
        what="the dismissal to be recorded",
    )
    assert "Recorded: dismissed" in plain.find_element(By.CSS_SELECTOR, ".done").text
    assert "Same toll, other date." in plain.find_element(By.CSS_SELECTOR, ".history").text

    # The CSV has both rows, with their statuses and the reviewer.
    with session_client(browser, server) as http:
        download = http.get("/desk/feed.csv")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        rows_csv = list(csv.DictReader(io.StringIO(download.text)))
        by_status = {r["status"]: r for r in rows_csv}
        assert sorted(by_status) == ["confirmed", "dismissed"]
        assert {r["reviewer"] for r in rows_csv} == {"alice"}
        # A post without its form token is refused, and changes nothing.
        conflict_id = re.search(r"/conflicts/(\d+)", second).group(1)  # type: ignore[union-attr]
        refused = http.post(f"/desk/conflicts/{conflict_id}/review", data={"status": "confirmed"})
        assert refused.status_code == 403
    api = httpx.get(f"{server.url}/v1/conflicts/{conflict_id}").json()
    assert (api["status"], api["reviewer"]) == ("dismissed", "alice")

    # Nothing for axe-core to report; nothing requested from anywhere but the service.
    assert {page: found for page, found in problems.items() if found} == {}
    for driver in (browser, plain):
        network = [
            url
            for url in requested_urls(driver)
            if url.startswith(("http:", "https:", "ws:", "wss:", "ftp:"))
        ]
        assert network
        outside = [url for url in network if not url.startswith(server.url + "/")]
        assert outside == [], outside
    console = [
        e["message"]
        for e in browser.get_log("browser")
        if e["level"] in ("SEVERE", "WARNING") and "status of 401" not in e["message"]
    ]
    assert console == []  # the wrong key's 401 aside: no error, no policy refusal
