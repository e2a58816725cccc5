"""Browser tests: the sandbox on a real WSGI server (gunicorn) against the test PostgreSQL database, and
Debian's Chromium driven by Playwright (never a downloaded browser).

``./dev test`` installs ``chromium`` (and a CJK font) when missing; where that was impossible the browser
tests skip with the reason (``WD_BROWSER_UNAVAILABLE``). Every page a test opens has its requests
recorded: anything not from the sandbox's own origin fails the test (nothing from a CDN). Screenshots go
to ``test-artifacts/screenshots/`` (gitignored), named page-state-locale-viewport.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..ports import free_port, worker_tag
from .wechat_world import WeChatWorld

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("WD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x1800322d) NetType/WIFI Language/zh_CN"
)


def browser_unavailable() -> str | None:
    if reason := os.environ.get("WD_BROWSER_UNAVAILABLE"):
        return reason
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing: apt-get install chromium (./dev test does it as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing: pip install -e '.[test]'"
    return None


def _free_port() -> int:
    """The sandbox's port: from ``WD_BROWSER_PORTS=first-last`` (a session's own range, split between
    parallel workers) when it is set, else one the operating system picks."""
    return free_port("WD_BROWSER_PORTS")


@pytest.fixture(scope="session")
def wechat_world() -> Iterator[WeChatWorld]:
    """The fake WeChat (Official Account API, web authorization pages) and the fake WeChat Pay (transfers,
    the 确认收款 page), in this process; the sandbox server calls them over HTTP."""
    with WeChatWorld.started() as world:
        yield world


@pytest.fixture(scope="session")
def sandbox_server(django_db_setup, django_db_blocker, wechat_world) -> Iterator[str]:
    """The sandbox under gunicorn (2 workers, threads) on the test database; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.screens.server_settings", "PYTHONPATH": str(ROOT)}
    env |= wechat_world.server_env(f"http://127.0.0.1:{port}")
    log = (ROOT / "test-artifacts").joinpath(f"gunicorn{worker_tag()}.log")
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "saleor_wechat_distribution.sandbox.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--chdir",
                str(ROOT),
                "--access-logfile",
                "-",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/console/logo.png", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start:\n" + log.read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[object]:
    """Playwright's sync API runs an event loop in this thread while it is open: Django's ORM, which the
    tests use to seed and check data, refuses to run beside one unless told it is safe (it is: the loop
    only waits for the browser). Module-scoped, so the other tests never run beside it."""
    if reason := browser_unavailable():
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Browser:
    """Opens pages in a fresh Chromium profile; records every request and keeps screenshots."""

    def __init__(self, driver: object, base: str, profile: Path, also: tuple[str, ...] = ()) -> None:
        self.driver = driver
        self.base = base
        self.profile = profile
        #: other origins pages may reach: the fake WeChat's own pages (authorization, 确认收款)
        self.also = also
        self.contexts: list = []
        self.requests: list = []  # playwright Request objects, every frame of every page

    def page(
        self,
        path: str,
        *,
        viewport: dict = DESKTOP,
        user_agent: str | None = None,
        locale: str = "en-US",
        init_script: str | None = None,
        offline: bool = False,
    ):
        """``offline``: as on a host without internet, every request to another origin fails."""
        context = self.driver.chromium.launch_persistent_context(  # type: ignore[attr-defined]
            str(self.profile / f"profile-{len(self.contexts)}"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=viewport,
            user_agent=user_agent,
            locale=locale,
        )
        self.contexts.append(context)
        context.on("request", lambda request: self.requests.append(request))
        if init_script:  # runs in every page of the context before the page's own scripts
            context.add_init_script(init_script)
        if offline:
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(self.base + "/")
                    else route.abort("internetdisconnected")
                ),
            )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15_000)
        page.goto(self.base + path)
        return page

    def foreign_requests(self) -> list[str]:
        allowed = (self.base + "/", "data:", "blob:", "about:", *(origin + "/" for origin in self.also))
        return [r.url for r in self.requests if not r.url.startswith(allowed)]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser(playwright_driver, sandbox_server, wechat_world, transactional_db, tmp_path) -> Iterator[Browser]:
    opened = Browser(playwright_driver, sandbox_server, tmp_path, also=wechat_world.origins)
    try:
        yield opened
        assert opened.foreign_requests() == [], "pages loaded something from another host"
    finally:
        opened.close()


def screenshot(page: object, name: str) -> Path:
    """Save ``test-artifacts/screenshots/<name>.png`` (the whole page, as the viewer sees it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # animations fast-forwarded to their end: a dialog is shown as it ends up, not mid-fade
    page.screenshot(path=str(path), full_page=True, animations="disabled")  # type: ignore[attr-defined]
    return path


def loading_then_error_then_retry(browser: Browser, url: str, shot: str) -> tuple[object, object, str]:
    """Open a console page (``url`` under the sandbox) with its GraphQL held: the loading state; then
    answered 502: the error state (it names the HTTP status); then retried with the server answering.
    Screenshots ``<shot>-loading-en-1280`` and ``<shot>-error-en-1280``. Returns the page, its frame
    (after the retry was clicked: the caller waits for what the page shows) and the error's text."""
    mode = {"now": "hold"}
    held = []

    def graphql(route):
        if mode["now"] == "hold":
            held.append(route)
        elif mode["now"] == "fail":
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.continue_()

    page = browser.page("/console/logo.png")  # a page of the origin, to set the route before the console
    page.route("**/graphql/", graphql)  # type: ignore[attr-defined]
    page.goto(browser.base + url)  # type: ignore[attr-defined]
    app = page.frame_locator("iframe#app")  # type: ignore[attr-defined]
    app.locator("[data-testid=state-loading]").first.wait_for()
    screenshot(page, f"{shot}-loading-en-1280")
    mode["now"] = "fail"
    for route in held:
        route.fulfill(status=502, body="Bad gateway")
    error = app.locator("[data-testid=state-error]").first
    error.wait_for()
    text = error.inner_text()
    assert "HTTP 502" in text, text
    screenshot(page, f"{shot}-error-en-1280")
    mode["now"] = "pass"
    app.locator("[data-testid=retry]").first.click()
    return page, app, text
