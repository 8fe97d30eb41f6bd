"""``ecss-crawler browse`` in a real headless browser: Debian's chromium, driven by Selenium
through Debian's chromedriver, against the command's own Datasette on 127.0.0.1.

The search page must render its results (Arabic included) with no script error in the
browser's console. ``.ci/run`` installs chromium and chromium-driver; in CI (``CI=true``)
a missing browser fails the test, elsewhere it is skipped. By hand::

    apt-get install -y chromium chromium-driver
    python -m pytest tests/test_browse_browser.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.test_browse import ARABIC_TITLE, build_archive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


def _need(thing: str) -> None:
    message = f"{thing} is not installed (apt-get install -y chromium chromium-driver)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[str]) -> None:
    """Poll until the server answers (bounded; the server's output on failure)."""
    for _ in range(600):
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # 127.0.0.1 only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    process.kill()
    output = process.communicate()[0]
    pytest.fail(f"ecss-crawler browse did not start:\n{output[-3000:]}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The ``browse`` command serving a small archive; yields the database's base URL."""
    db = build_archive(tmp_path_factory.mktemp("browser") / "ecss.db")
    port = free_port()
    command = [sys.executable, "-m", "ecss_crawler.cli", "browse", "--db", str(db)]
    command += ["--port", str(port), "--no-open"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}/ecss"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if CHROMIUM is None:
        _need("chromium")
    if CHROMEDRIVER is None:
        _need("chromedriver")
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def script_errors(driver: Any) -> list[dict[str, Any]]:
    """Console errors and uncaught exceptions since the last call."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def result_rows(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [
        row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("مكافحة", ARABIC_TITLE), ("negotiations", "Water security and the Nile")],
)
def test_search_page_renders_results(served: str, browser: Any, query: str, expected: str) -> None:
    script_errors(browser)  # start from a clean console
    browser.get(f"{served}/articles?_search={quote(query)}")
    rows = result_rows(browser)
    assert rows, browser.page_source[:2000]
    assert any(expected in row for row in rows), rows
    box = browser.execute_script("return document.querySelector('input[name=_search]').value")
    assert box == query
    assert browser.execute_script("return document.readyState") == "complete"
    assert script_errors(browser) == []


def test_console_errors_are_seen(served: str, browser: Any) -> None:
    """The check above can fail: a script error on the page is reported."""
    browser.get(f"{served}/articles")
    browser.execute_script("setTimeout(function () { undefinedFunction(); }, 0)")
    time.sleep(0.2)  # let the timer fire (not an assertion on time)
    errors = script_errors(browser)
    assert any("undefinedFunction" in entry["message"] for entry in errors), errors
