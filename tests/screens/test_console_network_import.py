"""Network import, in real Chromium inside the sandbox's stand-in of the Saleor dashboard: a dry run that
lists every row with an error (row, column, message), then a real import whose progress the page polls
while a real Celery worker runs it.

The sandbox of these tests sends its tasks to a Celery worker (Redis broker, a private queue; Redis is
also the cache through which the worker reports progress), not eagerly as the other pages' sandbox.
Screenshots: ``test-artifacts/screenshots/console-network-import-<state>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from saleor_wechat_distribution.models import Distributor, DistributorImportJob

from ..celery.conftest import redis_url
from ..ports import worker_tag
from .conftest import (
    DESKTOP,
    ROOT,
    TABLET,
    Browser,
    _free_port,
    browser_unavailable,
    loading_then_error_then_retry,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "external_id,parent_external_id,kind,display_name,email,phone\n"
WITH_ERRORS = HEADER + (
    "E1,,enterprise,华东区域经销商,e1@example.com,\n"
    "P1,E1,individual,王芳,wang@example.com,\n"
    "P1,E1,individual,again,again@example.com,\n"  # row 4: the external id of row 3 again
    "B1,NOPE,individual,李娜,li@example.com,\n"  # row 5: no such parent
    "H1,E1,individual,张伟,not-an-email,\n"  # row 6: a bad e-mail
    "G1,E1,boss,刘洋,liu@example.com,\n"  # row 7: no such kind
)
MEMBERS = 1500


def clean_file(members: int = MEMBERS) -> str:
    rows = [f"M{n:05d},E1,individual,成员 Member {n},m{n}@example.com,\n" for n in range(1, members + 1)]
    return HEADER + "E1,,enterprise,华东区域经销商,e1@example.com,\n" + "".join(rows)


@pytest.fixture(scope="module")
def worker_sandbox(django_db_setup, django_db_blocker, sandbox_server) -> Iterator[str]:
    """A second sandbox (gunicorn) whose tasks go to a Celery worker; yields its base URL."""
    if reason := browser_unavailable():
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    broker = redis_url()
    if broker is None:
        pytest.skip("the import's worker needs Redis at REDIS_URL (or 127.0.0.1:6379)")
    queue = f"wd-screens-import-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.screens.worker_settings",
        "PYTHONPATH": str(ROOT),
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": broker,
        "WD_CELERY_QUEUE": queue,
    }
    logs = ROOT / "test-artifacts"
    logs.mkdir(exist_ok=True)
    port = _free_port()
    tag = worker_tag()
    worker_path, web_path = logs / f"import-worker{tag}.log", logs / f"import-gunicorn{tag}.log"
    with worker_path.open("w") as worker_log, web_path.open("w") as web_log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "saleor_wechat_distribution.sandbox.celery", "worker",
             "--pool=solo", "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-gossip",
             "--without-mingle", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "saleor_wechat_distribution.sandbox.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--timeout", "60",
             "--chdir", str(ROOT)],
            env=env, stdout=web_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _answers(base + "/console/logo.png"), server, web_path)
        _wait(lambda: " ready." in worker_path.read_text(), worker, worker_path)
        yield base
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def _wait(ready, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{log.name}:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)


@pytest.fixture
def browser(playwright_driver, worker_sandbox, transactional_db, tmp_path) -> Iterator[Browser]:
    opened = Browser(playwright_driver, worker_sandbox, tmp_path)
    try:
        yield opened
        assert opened.foreign_requests() == [], "pages loaded something from another host"
    finally:
        opened.close()


def open_import(browser: Browser, *, user: str = "staff", locale: str = "en", viewport=DESKTOP):
    page = browser.page(f"/dashboard/?page=network-import&user={user}&locale={locale}", viewport=viewport)
    return page, page.frame_locator("iframe#app")


def choose(app, name: str, text: str) -> None:
    app.locator("[data-testid=network-size]").wait_for()
    app.locator("[data-testid=file-input]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )


def error_rows(app) -> list[tuple[str, str]]:
    """(row, column) of each error shown."""
    return app.locator("[data-testid=error-row]").evaluate_all(
        "rows => rows.map(r => [r.dataset.line, r.dataset.column])"
    )


def test_a_dry_run_lists_every_error_row_and_writes_nothing(browser: Browser):
    page, app = open_import(browser)
    choose(app, "network.csv", WITH_ERRORS)
    assert "network.csv" in app.locator("[data-testid=file-name]").inner_text()
    app.locator("[data-testid=dry-run]").click()
    report = app.locator("[data-testid=job-report][data-status=FAILED]")  # rows with errors: it stopped
    report.wait_for()
    assert report.get_attribute("data-dry-run") == "true"
    assert app.locator("[data-testid=job-status]").inner_text() == "Errors found"
    assert error_rows(app) == [
        ["4", "external_id"],
        ["5", "parent_external_id"],
        ["6", "email"],
        ["7", "kind"],
    ]
    table = app.locator("[data-testid=error-rows]").inner_text()
    assert "see row 3" in table, "the duplicate names the row it repeats"
    outcome = app.locator("[data-testid=job-outcome]").inner_text()
    assert outcome.startswith("4 rows have errors")
    assert app.locator("[data-testid=apply]").count() == 0, "a file with errors cannot be imported"
    assert Distributor.objects.count() == 0
    job = DistributorImportJob.objects.get()
    assert job.dry_run and job.file_name == "network.csv" and job.actor == "staff:1"
    screenshot(page, "console-network-import-dry-run-errors-en-1280")


def test_a_clean_dry_run_then_the_import_with_its_progress(browser: Browser):
    page, app = open_import(browser)
    polls: list[str] = []

    def record(response) -> None:
        if response.url.endswith("/graphql/") and "ConsoleImportJob" in (response.request.post_data or ""):
            polls.append(response.json()["data"]["distributorImportJob"]["status"])

    page.on("response", record)
    choose(app, "members.csv", clean_file())
    app.locator("[data-testid=dry-run]").click()
    app.locator("[data-testid=job-outcome]", has_text="No errors").wait_for(timeout=60_000)
    totals = app.locator("[data-testid=job-totals]").inner_text()
    assert "To create\n1501" in totals
    assert Distributor.objects.count() == 0, "a dry run writes nothing"
    screenshot(page, "console-network-import-dry-run-clean-en-1280")

    app.locator("[data-testid=apply]").click()
    dialog = app.locator("[data-testid=confirm-dialog]")
    assert "1501 distributors will be created" in dialog.inner_text()
    screenshot(page, "console-network-import-confirm-en-1280")
    polls.clear()
    app.locator("[data-testid=confirm-ok]").click()
    running = app.locator("[data-testid=job-report][data-dry-run=false]")
    running.wait_for()
    app.locator("[data-testid=job-progress]").wait_for()  # queued for the worker: the page polls
    # counted against the rows its dry run read (read at once: the worker may be done within a second)
    progress = app.locator("[data-testid=job-progress-text]").inner_text(timeout=2_000)
    assert progress.endswith("of 1501 rows"), progress
    screenshot(page, "console-network-import-progress-en-1280")
    app.locator("[data-testid=job-report][data-dry-run=false][data-status=SUCCEEDED]").wait_for(
        timeout=90_000
    )
    outcome = app.locator("[data-testid=job-outcome]").inner_text()
    assert outcome == "Imported: 1501 created, 0 updated, 0 moved."
    assert app.locator("[data-testid=job-progress]").count() == 0
    assert polls and polls[-1] == "SUCCEEDED", polls
    assert len(polls) >= 1 and all(s in ("QUEUED", "RUNNING", "SUCCEEDED") for s in polls)
    assert Distributor.objects.count() == MEMBERS + 1
    assert Distributor.objects.get(external_id="E1").team_size == MEMBERS
    app.locator("[data-testid=network-size]", has_text=f"{MEMBERS + 1} distributors now").wait_for()
    page.locator("[data-testid=dashboard-toast]").wait_for()
    screenshot(page, "console-network-import-done-en-1280")


def test_every_error_row_of_a_long_report_is_reachable(browser: Browser):
    bad = "".join(f"X{n:03d},NOPE,individual,成员 {n},x{n}@example.com,\n" for n in range(1, 131))
    _page, app = open_import(browser)
    choose(app, "long.csv", HEADER + bad)
    app.locator("[data-testid=dry-run]").click()
    app.locator("[data-testid=job-outcome]").wait_for()
    assert app.locator("[data-testid=error-rows-shown]").inner_text() == "100 of 130 rows with errors"
    app.locator("[data-testid=error-rows-more]").click()
    app.locator("[data-testid=error-rows-shown]", has_text="130 of 130").wait_for()
    lines = [int(line) for line, _column in error_rows(app)]
    assert lines == list(range(2, 132)), "every row, in file order, once"
    assert app.locator("[data-testid=error-rows-more]").count() == 0


def test_a_file_that_is_not_csv_or_xlsx_is_refused_next_to_the_file(browser: Browser):
    _page, app = open_import(browser)
    choose(app, "network.txt", WITH_ERRORS)
    app.locator("[data-testid=dry-run]").click()
    refusal = app.locator("[data-testid=file-error]")
    refusal.wait_for()
    assert refusal.inner_text() == "Only CSV and XLSX files can be imported."
    assert DistributorImportJob.objects.count() == 0


def test_a_file_over_the_upload_limit_is_refused_next_to_the_file(browser: Browser):
    _page, app = open_import(browser)
    choose(app, "huge.csv", clean_file(members=25_000))  # ~1.5 MB: over the 1 MB of worker_settings
    app.locator("[data-testid=dry-run]").click()
    refusal = app.locator("[data-testid=file-error]")
    refusal.wait_for()
    assert refusal.inner_text() == "The file is larger than 1 MB."
    assert app.locator("[data-testid=file-choose]").is_visible(), "the page stays: choose another file"
    assert DistributorImportJob.objects.count() == 0


def test_xlsx_files_are_read_too(browser: Browser):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["外部编号", "上级编号", "类型", "名称", "手机"])
    sheet.append(["1001", None, "企业", "总部", "13800138001"])
    sheet.append(["1002", "1001", "个人", "店员", "12345"])  # not a phone number
    data = io.BytesIO()
    book.save(data)
    _page, app = open_import(browser)
    app.locator("[data-testid=network-size]").wait_for()
    app.locator("[data-testid=file-input]").set_input_files(
        {"name": "network.xlsx", "mimeType": "application/octet-stream", "buffer": data.getvalue()}
    )
    app.locator("[data-testid=dry-run]").click()
    app.locator("[data-testid=job-outcome]").wait_for()
    assert error_rows(app) == [["3", "phone"]]


def test_simplified_chinese(browser: Browser):
    page, app = open_import(browser, locale="zh-Hans")
    app.locator("[data-testid=state-empty]").wait_for()
    assert app.locator("h1").inner_text() == "网络导入"
    choose(app, "网络.csv", WITH_ERRORS)
    app.locator("[data-testid=dry-run]").click()
    app.locator("[data-testid=job-outcome]").wait_for()
    assert app.locator("[data-testid=job-outcome]").inner_text().startswith("4 行有错误")
    assert app.locator("[data-testid=job-status]").inner_text() == "发现错误"
    table = app.locator("[data-testid=error-rows]").inner_text()
    assert "行号" in table and "电子邮箱地址无效" in table, "the server speaks the dashboard's language"
    screenshot(page, "console-network-import-dry-run-errors-zh-Hans-1280")


@pytest.mark.parametrize(("locale", "words"), [("en", "Manage customers"), ("zh-Hans", "管理客户")])
def test_staff_without_manage_users_sees_a_refusal(browser: Browser, locale: str, words: str):
    page, app = open_import(browser, user="support", locale=locale)
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert words in refusal.inner_text() and "MANAGE_USERS" in refusal.inner_text()
    assert app.locator("[data-testid=file-choose]").count() == 0
    screenshot(page, f"console-network-import-refusal-{locale}-1280")


def test_empty_state_and_tablet_width(browser: Browser):
    page, app = open_import(browser, viewport=TABLET)
    app.locator("[data-testid=state-empty]").wait_for()
    choose(app, "network.csv", WITH_ERRORS)
    app.locator("[data-testid=dry-run]").click()
    app.locator("[data-testid=job-outcome]").wait_for()
    overflow = app.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0, "no horizontal scrolling on a tablet"
    screenshot(page, "console-network-import-dry-run-errors-en-820")


def test_loading_then_error_then_retry(browser: Browser):
    _page, app, _ = loading_then_error_then_retry(
        browser, "/dashboard/?page=network-import", "console-network-import"
    )
    app.locator("[data-testid=state-empty]").wait_for()
