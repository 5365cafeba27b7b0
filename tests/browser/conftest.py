"""Browser tests: Playwright for Python driving the system's chromium (Debian package), never a downloaded browser.

One browser per test session (per xdist worker); each test gets fresh pages on pytest-django's live server.
Without /usr/bin/chromium (install it with `make browser`) or without playwright the tests skip, saying why.
"""
import os
import shutil
from pathlib import Path

import pytest

# the live server runs in a thread beside Playwright's sync API, which keeps an event loop running in this one
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DEMO_TODAY = "2021-07-15"  # the demo county lives in 2021, as `make run` serves it


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"no chromium at {CHROMIUM}: run `make browser` (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _served_like_make_run(settings):
    """The demo's date, and the project's own static files (luoshi/static) found by the live server."""
    from django.contrib.staticfiles import finders

    settings.LUOSHI_TODAY = DEMO_TODAY
    if not finders.find("luoshi.css"):
        # luoshi/static is not an app folder; settings must list it (reported to the lead engineer)
        settings.STATICFILES_DIRS = [Path(settings.BASE_DIR) / "luoshi" / "static"]


@pytest.fixture
def demo(live_server, settings):
    """The demo county (43 units, 90 people, the speech's 27 tasks), loaded into the live server's database."""
    from luoshi.org import demo as demo_county

    return demo_county.load()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport) → a new page in its own context (its own cookies); every page fails the test on a
    JavaScript error or a dialog (an XSS payload that runs would open one)."""
    contexts, problems = [], []

    def open_(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog fired: {dialog.message}"), dialog.dismiss()))
        page.on("response", lambda r: r.status == 404 and "/static/" in r.url and problems.append(f"404 {r.url}"))
        page.set_default_timeout(10_000)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, problems


def login(page, username, password="demo1234"):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def shot(page, name, full_page=True):
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)


def fits(page, width):
    """Nothing on the page is wider than the phone's screen (no sideways scrolling of the whole page)."""
    return page.evaluate("document.documentElement.scrollWidth") <= width
