"""Distributors → applications queue, in real Chromium inside the sandbox's stand-in of the Saleor dashboard
(which performs the AppBridge handshake with a token of the shape Saleor issues for our App).

Screenshots: ``test-artifacts/screenshots/console-distributors-<state>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

import re

import pytest

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import DESKTOP, TABLET, Browser, loading_then_error_then_retry, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANTS = ["郑爽 Zheng Shuang", "宁波门店 Ningbo Store", "冯雪 Feng Xue", "周杰 Zhou Jie"]


def seed_queue(count: int | None = None) -> dict[str, Distributor]:
    """Two upline distributors and pending applicants under them (the newest first in the queue)."""
    east = make_distributor(name="华东区域经销商 East China", kind=DistributorKind.ENTERPRISE)
    wang = make_distributor(east, name="王芳 Wang Fang")
    names = APPLICANTS if count is None else [f"申请人 Applicant {n:02d}" for n in range(1, count + 1)]
    nodes = {"east": east, "wang": wang}
    for index, name in enumerate(names):
        kind = DistributorKind.ENTERPRISE if "门店" in name else DistributorKind.INDIVIDUAL
        nodes[name] = make_distributor(
            east if kind is DistributorKind.ENTERPRISE or index % 2 else wang,
            name=name,
            kind=kind,
            status=DistributorStatus.PENDING,
        )
    return nodes


def open_queue(
    browser: Browser, *, user: str = "staff", locale: str = "en", theme: str = "light", viewport=DESKTOP
):
    page = browser.page(
        f"/dashboard/?page=distributors&user={user}&locale={locale}&theme={theme}", viewport=viewport
    )
    return page, page.frame_locator("iframe#app")


def row(app, name: str):
    return app.locator(f'[data-testid=applicant-row][data-name="{name}"]')


def status_of(node: Distributor) -> str:
    return Distributor.objects.get(pk=node.pk).status


def test_handshake_then_the_queue_with_the_dashboard_token(browser: Browser):
    nodes = seed_queue()
    page, app = open_queue(browser)
    app.locator("[data-testid=applicants]").wait_for()
    assert app.locator("[data-testid=pending-count]").inner_text() == "4 pending"
    names = app.locator("[data-testid=applicant-row]").evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert names == list(reversed(APPLICANTS)), "newest first"
    first = row(app, "周杰 Zhou Jie")
    assert "华东区域经销商 East China" in first.inner_text() and "Individual" in first.inner_text()
    # the AppBridge conversation: the page asked, the dashboard answered with the token, theme and locale
    log = page.evaluate("window.appBridgeLog")
    assert [e["type"] for e in log][:4] == ["notifyReady", "handshake", "theme", "localeChanged"]
    token = log[1]["payload"]["token"]
    graphql = [r for r in browser.requests if r.url.endswith("/graphql/")]
    assert graphql and {r.headers["authorization"] for r in graphql} == {f"Bearer {token}"}
    assert {r.headers["accept-language"] for r in graphql} == {"en"}
    screenshot(page, "console-distributors-queue-en-1280")
    assert Distributor.objects.get(pk=nodes["east"].pk).team_size == 1, "applicants count once approved"


def test_approve_one_after_confirmation(browser: Browser):
    nodes = seed_queue()
    page, app = open_queue(browser)
    row(app, "冯雪 Feng Xue").locator("[data-testid=approve]").click()
    dialog = app.locator("[data-testid=confirm-dialog]")
    dialog.wait_for()
    assert "Approve 冯雪 Feng Xue?" in dialog.inner_text()
    screenshot(page, "console-distributors-confirm-approve-en-1280")
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=result-banner]").wait_for()
    assert app.locator("[data-testid=result-banner]").inner_text().startswith("1 approved")
    row(app, "冯雪 Feng Xue").wait_for(state="detached")
    assert status_of(nodes["冯雪 Feng Xue"]) == "active"
    assert app.locator("[data-testid=pending-count]").inner_text() == "3 pending"
    page.locator("[data-testid=dashboard-toast]").wait_for()  # AppBridge's notification action
    assert "1 approved" in page.locator("[data-testid=dashboard-toast]").first.inner_text()
    screenshot(page, "console-distributors-approved-en-1280")


def test_cancel_changes_nothing(browser: Browser):
    nodes = seed_queue()
    _page, app = open_queue(browser)
    row(app, "冯雪 Feng Xue").locator("[data-testid=approve]").click()
    app.locator("[data-testid=confirm-cancel]").click()
    app.locator("[data-testid=confirm-dialog]").wait_for(state="detached")
    assert status_of(nodes["冯雪 Feng Xue"]) == "pending"


def test_reject_needs_a_reason(browser: Browser):
    nodes = seed_queue()
    page, app = open_queue(browser)
    row(app, "郑爽 Zheng Shuang").locator("[data-testid=reject]").click()
    ok = app.locator("[data-testid=confirm-ok]")
    assert ok.is_disabled(), "no reason, no rejection"
    app.locator("[data-testid=reject-reason] textarea, textarea[data-testid=reject-reason]").first.fill(
        "The same person already runs a store."
    )
    screenshot(page, "console-distributors-confirm-reject-en-1280")
    ok.click()
    app.locator("[data-testid=result-banner]").wait_for()
    assert app.locator("[data-testid=result-banner]").inner_text().startswith("1 rejected")
    node = Distributor.objects.get(pk=nodes["郑爽 Zheng Shuang"].pk)
    event = node.events.order_by("-pk").first()
    assert node.status == "rejected"
    assert event.data == {"reason": "The same person already runs a store."}
    assert event.actor == "staff:1", "the dashboard's user did it"


def test_bulk_approve_and_bulk_reject(browser: Browser):
    nodes = seed_queue()
    page, app = open_queue(browser)
    for name in ("周杰 Zhou Jie", "宁波门店 Ningbo Store"):
        row(app, name).get_by_role("checkbox").click()
    bar = app.locator("[data-testid=bulk-bar]")
    assert "2 selected" in bar.inner_text()
    screenshot(page, "console-distributors-selected-en-1280")
    app.locator("[data-testid=bulk-approve]").click()
    assert "Approve 2 applicants?" in app.locator("[data-testid=confirm-dialog]").inner_text()
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=result-banner]").wait_for()
    assert app.locator("[data-testid=result-banner]").inner_text().startswith("2 approved")
    assert status_of(nodes["周杰 Zhou Jie"]) == status_of(nodes["宁波门店 Ningbo Store"]) == "active"

    app.locator("[data-testid=applicant-row]").nth(1).wait_for()
    app.locator("[data-testid=select-all]").click()
    app.locator("[data-testid=bulk-reject]").click()
    app.locator("textarea").fill("Incomplete application")
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=state-empty]").wait_for()
    for name in ("郑爽 Zheng Shuang", "冯雪 Feng Xue"):
        assert status_of(nodes[name]) == "rejected"
    screenshot(page, "console-distributors-empty-en-1280")


def test_a_colleague_decided_first(browser: Browser):
    """Bulk on a stale page: the one a colleague decided meanwhile is reported, the rest go ahead."""
    nodes = seed_queue()
    page, app = open_queue(browser)
    app.locator("[data-testid=select-all]").click()
    Distributor.objects.filter(pk=nodes["冯雪 Feng Xue"].pk).update(status="rejected")
    app.locator("[data-testid=bulk-approve]").click()
    app.locator("[data-testid=confirm-ok]").click()
    banner = app.locator("[data-testid=result-banner]")
    banner.wait_for()
    assert banner.inner_text().startswith("3 approved · 1 could not be changed")
    assert "冯雪 Feng Xue: This distributor is rejected" in banner.inner_text()
    screenshot(page, "console-distributors-partial-en-1280")


def test_staff_without_manage_users_sees_a_refusal(browser: Browser):
    nodes = seed_queue()
    page, app = open_queue(browser, user="support")
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "Manage customers" in refusal.inner_text() and "MANAGE_USERS" in refusal.inner_text()
    assert app.locator("[data-testid=applicants]").count() == 0
    assert all(status_of(node) == "pending" for name, node in nodes.items() if name in APPLICANTS)
    screenshot(page, "console-distributors-refusal-en-1280")


def test_simplified_chinese_from_the_dashboard_and_live_switch(browser: Browser):
    seed_queue()
    page, app = open_queue(browser, locale="zh-Hans")
    app.locator("[data-testid=applicants]").wait_for()
    assert app.locator("h1").inner_text() == "分销商"
    assert app.locator("[data-testid=pending-count]").inner_text() == "4 条待审核"
    assert "个人" in row(app, "冯雪 Feng Xue").inner_text()
    screenshot(page, "console-distributors-queue-zh-Hans-1280")
    row(app, "冯雪 Feng Xue").locator("[data-testid=reject]").click()
    assert "拒绝 冯雪 Feng Xue 的申请？" in app.locator("[data-testid=confirm-dialog]").inner_text()
    screenshot(page, "console-distributors-confirm-reject-zh-Hans-1280")
    app.locator("[data-testid=confirm-cancel]").click()
    # the dashboard's language changes while the page runs (AppBridge localeChanged)
    page.select_option("#locale", "en")
    app.locator("h1", has_text="Distributors").wait_for()
    assert app.locator("[data-testid=console]").get_attribute("data-locale") == "en"


def test_refusal_in_chinese(browser: Browser):
    page, app = open_queue(browser, user="support", locale="zh-Hans")
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "管理客户" in refusal.inner_text()
    screenshot(page, "console-distributors-refusal-zh-Hans-1280")


def test_dark_theme_from_the_dashboard(browser: Browser):
    seed_queue()
    page, app = open_queue(browser, theme="dark")
    app.locator("[data-testid=applicants]").wait_for()
    background = app.locator("[data-testid=console]").evaluate("e => getComputedStyle(e).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
    assert red + green + blue < 150, background
    screenshot(page, "console-distributors-queue-dark-en-1280")


def test_tablet_width(browser: Browser):
    seed_queue()
    page, app = open_queue(browser, viewport=TABLET)
    app.locator("[data-testid=applicants]").wait_for()
    overflow = app.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0, "no horizontal scrolling on a tablet"
    assert row(app, "冯雪 Feng Xue").locator("[data-testid=approve]").is_visible()
    screenshot(page, "console-distributors-queue-en-820")


def test_paging(browser: Browser):
    seed_queue(count=23)
    page, app = open_queue(browser)
    app.locator("[data-testid=applicants]").wait_for()
    assert app.locator("[data-testid=applicant-row]").count() == 20
    assert app.locator("[data-testid=paging-range]").inner_text() == "1–20 of 23"
    app.locator("[data-testid=page-next]").click()
    app.locator("[data-testid=paging-range]", has_text="21–23 of 23").wait_for()
    assert app.locator("[data-testid=applicant-row]").count() == 3
    assert app.locator("[data-testid=page-next]").is_disabled()
    screenshot(page, "console-distributors-page2-en-1280")
    app.locator("[data-testid=page-previous]").click()
    app.locator("[data-testid=paging-range]", has_text="1–20 of 23").wait_for()


def test_search(browser: Browser):
    seed_queue()
    _page, app = open_queue(browser)
    app.locator("[data-testid=search] input, input[data-testid=search]").first.fill("Ningbo")
    app.locator("[data-testid=paging-range]", has_text="1–1 of 1").wait_for()
    app.locator("[data-testid=search] input, input[data-testid=search]").first.fill("nobody-like-this")
    empty = app.locator("[data-testid=state-empty]")
    empty.wait_for()
    assert "nobody-like-this" in empty.inner_text()


def test_loading_then_error_then_retry(browser: Browser):
    seed_queue()
    _page, app, error_text = loading_then_error_then_retry(
        browser, "/dashboard/?page=distributors", "console-distributors"
    )
    assert "Something went wrong" in error_text
    app.locator("[data-testid=applicants]").wait_for()


def test_opened_outside_the_dashboard(browser: Browser):
    page = browser.page("/console/distributors/")
    outside = page.locator("[data-testid=state-outside]")
    outside.wait_for()
    assert "Open this page from the Saleor dashboard" in outside.inner_text()
    outside.locator("a").click()  # the sandbox offers its stand-in of the dashboard
    page.frame_locator("iframe#app").locator("[data-testid=applications-page]").wait_for()


def test_app_home_lists_the_pages(browser: Browser):
    page = browser.page("/dashboard/?page=")
    app = page.frame_locator("iframe#app")
    app.locator("[data-testid=home-page]").wait_for()
    screenshot(page, "console-home-en-1280")
    app.get_by_role("link", name="Distributors").click()
    app.locator("[data-testid=applications-page]").wait_for()  # a new document: a new handshake
