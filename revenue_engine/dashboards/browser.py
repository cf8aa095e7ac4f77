"""Serve the app, and open its pages in headless Chromium (screenshots and browser tests).

Chromium is Debian's package (`/usr/bin/chromium`, or CHROMIUM_PATH); Playwright drives it by its
executable path, so no browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from revenue_engine.dashboards.data import published_database
from revenue_engine.dashboards.pages import PAGES, Page

APP = Path(__file__).with_name("app.py")
DEFAULT_PORT = 8501
# Chromium on a machine with no network: no background connections, no component updates.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 1000}


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def app_environment() -> dict[str, str]:
    """The app reads the published file (resolved now from WAREHOUSE_DIR or PUBLISHED_DATABASE)."""
    database = published_database()
    if not database.exists():
        raise FileNotFoundError(
            f"no published warehouse at {database}: "
            "run `make run` first (or set PUBLISHED_DATABASE)"
        )
    return {**os.environ, "PUBLISHED_DATABASE": str(database.absolute())}


def serve(port: int = DEFAULT_PORT) -> int:
    """Serve the app on 127.0.0.1 until stopped (make dashboards)."""
    print(f"Dashboards on http://127.0.0.1:{port} (read-only from {published_database()})")
    for page in PAGES:
        print(f"  {page.title:<34} http://127.0.0.1:{port}/{page.slug}")
    return subprocess.call(streamlit_command(port), env=app_environment())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(port: int | None = None, timeout: float = 60) -> Iterator[str]:
    """Start the app in the background; yield its base URL once it answers; stop it after."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        streamlit_command(port),
        env=app_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"the dashboard app stopped at start:\n{output}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the dashboard app did not answer on {base} in {timeout:.0f} s")
            time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    path = path or shutil.which("chromium-browser")
    if not path:
        raise FileNotFoundError(
            "no Chromium: install Debian's package (`apt-get install chromium`) "
            "or set CHROMIUM_PATH"
        )
    return path


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium page (Playwright), viewport 1440 x 1000."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_page(viewport=VIEWPORT)
        finally:
            browser.close()


def open_page(browser_page, base: str, page: Page, timeout_ms: int = 60_000) -> None:
    """Go to `page` and wait until its script has run and its charts have drawn."""
    path = "" if page is PAGES[0] else page.slug  # the default page is served at "/"
    browser_page.goto(f"{base}/{path}", timeout=timeout_ms)
    # the page's script has started (its title is drawn) and then finished
    browser_page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=timeout_ms)
    browser_page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )
    browser_page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
            .every(chart => chart.querySelector('canvas, svg'))""",
        timeout=timeout_ms,
    )
    browser_page.wait_for_timeout(500)  # the last chart's transition


def full_page_screenshot(browser_page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, not the document, so the
    viewport is made as tall as that block's content before the picture."""
    height = browser_page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], section')]
            .map(element => element.scrollHeight), document.body.scrollHeight)"""
    )
    browser_page.set_viewport_size({"width": VIEWPORT["width"], "height": int(height) + 40})
    browser_page.wait_for_timeout(800)  # charts re-draw at the new size
    browser_page.screenshot(path=str(path), full_page=True)
    browser_page.set_viewport_size(VIEWPORT)


def page_errors(browser_page) -> list[str]:
    """The text of every error or exception box the page shows."""
    boxes = browser_page.locator(
        '[data-testid="stException"], [data-testid="stAlertContentError"]'
    ).all()
    return [box.inner_text() for box in boxes]


def metrics(browser_page) -> dict[str, str]:
    """Every metric tile on the page: label -> the value shown."""
    shown = {}
    for tile in browser_page.locator('[data-testid="stMetric"]').all():
        label = tile.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def screenshots(out_dir: Path) -> list[Path]:
    """A full-page PNG of every page, named after the page, in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with running_app() as base, chromium() as browser_page:
        for page in PAGES:
            open_page(browser_page, base, page)
            errors = page_errors(browser_page)
            if errors:
                raise RuntimeError(f"page {page.slug} shows an error: {errors[0]}")
            path = out_dir / f"{page.slug}.png"
            full_page_screenshot(browser_page, path)
            written.append(path)
            print(f"  {path}")
    return written
