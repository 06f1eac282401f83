"""The docs page in a real browser: headless Chromium renders /docs with every operation, and
no request leaves the machine.

Chromium's own network log (the DevTools performance log) lists every request the page made;
each must go to the service on 127.0.0.1. Requests elsewhere would also fail: the browser
resolves no host name but 127.0.0.1. Needs Debian's ``chromium`` and ``chromium-driver``
(``make browser`` installs them; CI fails, instead of skipping, when they are missing).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.receiver import wait_until
from tests.support.server import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()

if not HAVE_BROWSER and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser test: install chromium and chromium-driver")

pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason="chromium/chromedriver not installed")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--window-size=1280,2000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "driver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.slow
def test_docs_render_every_operation_offline(
    server_factory: type[Server], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    server = server_factory(tmp_path).start()
    spec = httpx.get(f"{server.url}/openapi.json").json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}

    browser.get(f"{server.url}/docs")
    wait_until(
        lambda: len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) >= len(operations),
        timeout=60,
        what="Swagger UI to render the operations",
    )
    rendered = set()
    for block in browser.find_elements(By.CSS_SELECTOR, ".opblock"):
        method = block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text.strip()
        path = block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute(
            "data-path"
        )
        rendered.add((method, path))
    assert rendered == operations
    assert browser.find_elements(By.CSS_SELECTOR, ".btn.authorize")  # the API key can be set
    assert "crosscheck" in browser.title
    browser.save_screenshot(str(tmp_path / "docs.png"))

    urls = requested_urls(browser)
    assert any(url.endswith("/openapi.json") for url in urls)
    # Network requests only (the browser's own chrome:// pages and data: URLs are local).
    network = [url for url in urls if url.startswith(("http:", "https:", "ws:", "wss:", "ftp:"))]
    assert len(network) >= 3, urls  # the page, its assets, the OpenAPI document
    outside = [url for url in network if not url.startswith(server.url + "/")]
    assert outside == [], outside
    assert policy_violations(browser) == []


# ReDoc's footer shows Redocly's logo from their CDN: blocking that is the policy's job.
EXPECTED_BLOCKS = ("https://cdn.redoc.ly/",)


def policy_violations(driver: Any) -> list[str]:
    """What the console says the Content-Security-Policy blocked, but for EXPECTED_BLOCKS."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if ("Content Security Policy" in entry["message"] or "Refused to" in entry["message"])
        and not any(f"'{url}" in entry["message"] for url in EXPECTED_BLOCKS)
    ]


@pytest.mark.slow
def test_both_docs_pages_work_under_their_content_security_policy(
    server_factory: type[Server], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    server = server_factory(tmp_path).start()
    for page in ("/docs", "/redoc"):
        headers = httpx.get(f"{server.url}{page}").headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert (
            "'unsafe-inline'"
            not in headers["content-security-policy"].split("script-src")[1].split(";")[0]
        )
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
    browser.get(f"{server.url}/redoc")
    wait_until(
        lambda: len(browser.find_elements(By.CSS_SELECTOR, "[data-section-id]")) >= 10,
        timeout=60,
        what="ReDoc to render the operations",
    )
    browser.get(f"{server.url}/docs")
    wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, ".opblock"),
        timeout=60,
        what="Swagger UI to render",
    )
    # Open one operation and try it out: the request goes to the service, allowed.
    browser.find_elements(By.CSS_SELECTOR, ".opblock-summary")[0].click()
    assert policy_violations(browser) == []
