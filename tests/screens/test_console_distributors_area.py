"""Distributors → all distributors, the network browser and a distributor's page, in real Chromium inside
the sandbox's stand-in of the Saleor dashboard (AppBridge handshake, the dashboard's token).

Screenshots: ``test-artifacts/screenshots/console-distributors-<view>-<state>-<locale>-<width>.png``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.models import (
    ChannelProgram,
    Commission,
    CustomerBinding,
    Distributor,
    LedgerEntry,
    Storefront,
    Withdrawal,
)
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import DESKTOP, TABLET, Browser, loading_then_error_then_retry, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_network() -> dict[str, Distributor]:
    """East ─┬─ 王芳 Wang Fang ─┬─ 李娜 Li Na
          │                 └─ 陈静 Chen Jing (pending)
          └─ 赵磊 Zhao Lei (suspended)
    West ── 孙丽 Sun Li"""
    east = make_distributor(name="华东区域经销商 East China", kind=DistributorKind.ENTERPRISE)
    west = make_distributor(name="华西区域经销商 West China", kind=DistributorKind.ENTERPRISE)
    wang = make_distributor(east, name="王芳 Wang Fang")
    zhao = make_distributor(east, name="赵磊 Zhao Lei", status=DistributorStatus.SUSPENDED)
    li = make_distributor(wang, name="李娜 Li Na")
    chen = make_distributor(wang, name="陈静 Chen Jing", status=DistributorStatus.PENDING)
    sun = make_distributor(west, name="孙丽 Sun Li")
    return {"east": east, "west": west, "wang": wang, "zhao": zhao, "li": li, "chen": chen, "sun": sun}


def seed_money(node: Distributor) -> None:
    ChannelProgram.objects.get_or_create(channel="default-channel", defaults={"currency": "CNY"})
    now = timezone.now()
    for n, (amount, kind) in enumerate(
        [("128.00", "commission"), ("36.50", "commission"), ("-100.00", "withdrawal"), ("-6.40", "clawback")]
    ):
        LedgerEntry.objects.create(
            distributor=node, currency="CNY", amount=Decimal(amount), kind=kind,
            idempotency_key=f"e{node.pk}-{n}", order_id=f"SO-10{n}" if kind != "withdrawal" else "",
        )  # fmt: skip
    for n in range(3):
        CustomerBinding.objects.create(
            channel="default-channel", customer_key=f"user:{7000 + n}", distributor=node, source="link",
            bound_at=now - timedelta(days=n), expires_at=now + timedelta(days=30 - n * 20),
            protected_until=now,
        )  # fmt: skip
    # what the money's own services write, reduced to the rows the page reads
    Commission.objects.create(
        order_id="SO-201", line_id="L1", channel="default-channel", distributor=node, level=1, currency="CNY",
        base=Decimal("300.00"), rate=Decimal("10"), amount=Decimal("30.00"), status="frozen",
    )  # fmt: skip
    Withdrawal.objects.create(
        distributor=node, channel="default-channel", currency="CNY", amount=Decimal("100.00"), status="paid",
        out_bill_no=f"WD{node.pk}",
    )  # fmt: skip
    Storefront.objects.create(
        distributor=node, slug="wang-fang", title="王芳的小店 Wang's shop", channel="default-channel"
    )


def open_area(
    browser: Browser,
    view: str = "",
    *,
    user: str = "staff",
    locale: str = "en",
    viewport=DESKTOP,
    extra: str = "",
):
    page = browser.page(
        f"/dashboard/?page=distributors&user={user}&locale={locale}{extra}#{view}", viewport=viewport
    )
    return page, page.frame_locator("iframe#app")


def gid(node: Distributor) -> str:
    return to_global_id("Distributor", node.pk)


def test_all_distributors_with_filters(browser: Browser):
    seed_network()
    page, app = open_area(browser, "/list")
    app.locator("[data-testid=distributors]").wait_for()
    assert app.locator("[data-testid=list-count]").inner_text() == "7 found"
    screenshot(page, "console-distributors-list-en-1280")
    app.locator("[data-testid=filter-status]").select_option("SUSPENDED")
    app.locator("[data-testid=list-count]", has_text="1 found").wait_for()
    assert app.locator("[data-testid=distributor-row]").get_attribute("data-name") == "赵磊 Zhao Lei"
    app.locator("[data-testid=clear-filters]").click()
    app.locator("[data-testid=filter-level]").fill("1")
    app.locator("[data-testid=list-count]", has_text="2 found").wait_for()
    app.locator("[data-testid=filter-kind]").select_option("INDIVIDUAL")
    app.locator("[data-testid=state-empty]").wait_for()
    assert "No distributor matches these filters." in app.locator("[data-testid=state-empty]").inner_text()
    screenshot(page, "console-distributors-list-filtered-empty-en-1280")
    app.locator("[data-testid=clear-filters]").click()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    app.locator("[data-testid=filter-joined-from]").fill(tomorrow)
    app.locator("[data-testid=state-empty]").wait_for()
    app.locator("[data-testid=filter-joined-from]").fill("")
    app.locator("[data-testid=filter-joined-to]").fill(timezone.localdate().isoformat())
    app.locator("[data-testid=list-count]", has_text="7 found").wait_for()
    app.locator("[data-testid=search] input, input[data-testid=search]").first.fill("Sun Li")
    app.locator("[data-testid=list-count]", has_text="1 found").wait_for()
    app.locator("[data-testid=open-distributor]").click()
    app.locator("[data-testid=distributor-page] h1", has_text="孙丽 Sun Li").wait_for()


def test_network_opens_level_by_level(browser: Browser):
    nodes = seed_network()
    page, app = open_area(browser, "/network")
    app.locator("[data-testid=network-level]").wait_for()
    chips = app.locator("[data-testid=level-count]").all_inner_texts()
    assert chips == ["Level +1: 2", "Level +2: 3", "Level +3: 2"]
    names = app.locator("[data-testid=network-row]").evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert names == ["华东区域经销商 East China", "华西区域经销商 West China"]
    screenshot(page, "console-distributors-network-brand-en-1280")
    app.locator(
        '[data-testid=network-row][data-name="华东区域经销商 East China"] [data-testid=open-level]'
    ).click()
    app.locator("[data-testid=crumb-current]", has_text="华东区域经销商 East China").wait_for()
    assert app.locator("[data-testid=level-count]").all_inner_texts() == ["Level +1: 2", "Level +2: 2"]
    app.locator('[data-testid=network-row][data-name="王芳 Wang Fang"] [data-testid=open-level]').click()
    app.locator("[data-testid=crumb-current]", has_text="王芳 Wang Fang").wait_for()
    wang_rows = app.locator("[data-testid=network-row]")
    assert wang_rows.count() == 2 and "Pending" in wang_rows.nth(1).inner_text()
    assert "No one below" in wang_rows.first.inner_text()
    screenshot(page, "console-distributors-network-level3-en-1280")
    app.locator(
        "[data-testid=crumbs] a", has_text="华东区域经销商 East China"
    ).click()  # the breadcrumb back up
    app.locator("[data-testid=crumb-current]", has_text="华东区域经销商 East China").wait_for()
    app.locator("body").evaluate("() => history.back()")  # the hash route keeps the browser's history
    app.locator("[data-testid=crumb-current]", has_text="王芳 Wang Fang").wait_for()
    assert nodes["wang"].pk


def test_network_paging(browser: Browser):
    root = make_distributor(name="Root", kind=DistributorKind.ENTERPRISE)
    for n in range(23):
        make_distributor(root, name=f"成员 Member {n:02d}")
    _page, app = open_area(browser, f"/network/{gid(root)}")
    app.locator("[data-testid=paging-range]", has_text="1–20 of 23").wait_for()
    app.locator("[data-testid=page-next]").click()
    app.locator("[data-testid=paging-range]", has_text="21–23 of 23").wait_for()
    assert app.locator("[data-testid=network-row]").first.get_attribute("data-name") == "成员 Member 20"


def test_empty_network_and_unknown_distributor(browser: Browser):
    page, app = open_area(browser, "/network")
    app.locator("[data-testid=state-empty]").wait_for()
    assert "The network is empty" in app.locator("[data-testid=state-empty]").inner_text()
    screenshot(page, "console-distributors-network-empty-en-1280")
    page, app = open_area(browser, f"/distributor/{to_global_id('Distributor', 10**9)}")
    app.locator("[data-testid=state-empty]", has_text="does not exist").wait_for()


def test_distributor_page_sections(browser: Browser):
    nodes = seed_network()
    seed_money(nodes["wang"])
    page, app = open_area(browser, f"/distributor/{gid(nodes['wang'])}")
    app.locator("[data-testid=distributor-page]").wait_for()
    app.locator("[data-testid=ledger-row]").first.wait_for()
    assert "华东区域经销商 East China" in app.locator("[data-testid=upline]").inner_text()
    team = app.locator("[data-testid=team]").inner_text()
    assert "Approved members: 1" in team and "Directly below: 2" in team
    assert "王芳的小店 Wang's shop" in app.locator("[data-testid=storefront]").inner_text()
    assert "2 active · 3 in total" in app.locator("[data-testid=bindings]").inner_text()
    balance = app.locator("[data-testid=balance]").inner_text()
    assert "CN¥58.10" in balance, balance
    assert app.locator("[data-testid=ledger-row]").count() == 4
    commissions = app.locator("[data-testid=commissions]").inner_text()
    assert "SO-201" in commissions and "Frozen" in commissions and "CN¥30.00" in commissions
    assert "Paid" in app.locator("[data-testid=withdrawals]").inner_text()
    audit = app.locator("[data-testid=audit-row]").evaluate_all("rows => rows.map(r => r.dataset.type)")
    assert audit[-1] == "applied" and "approved" in audit
    screenshot(page, "console-distributors-detail-en-1280")


def test_suspend_then_reactivate_after_confirmation(browser: Browser):
    nodes = seed_network()
    page, app = open_area(browser, f"/distributor/{gid(nodes['wang'])}")
    app.locator("[data-testid=action-suspend]").click()
    dialog = app.locator("[data-testid=confirm-dialog]")
    assert "Suspend 王芳 Wang Fang?" in dialog.inner_text()
    app.locator("[data-testid=confirm-cancel]").click()
    dialog.wait_for(state="detached")
    assert Distributor.objects.get(pk=nodes["wang"].pk).status == "active", "cancel changes nothing"

    app.locator("[data-testid=action-suspend]").click()
    app.locator("textarea").fill("Sold counterfeit goods")
    screenshot(page, "console-distributors-confirm-suspend-en-1280")
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=action-reactivate]").wait_for()
    node = Distributor.objects.get(pk=nodes["wang"].pk)
    assert node.status == "suspended"
    assert node.events.order_by("-pk").first().data == {"reason": "Sold counterfeit goods"}
    assert (
        "Suspended" in app.locator("[data-testid=distributor-page] [data-testid=status]").first.inner_text()
    )
    page.locator("[data-testid=dashboard-toast]", has_text="王芳 Wang Fang is suspended").wait_for()

    app.locator("[data-testid=action-reactivate]").click()
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=action-suspend]").wait_for()
    assert Distributor.objects.get(pk=nodes["wang"].pk).status == "active"
    assert app.locator("[data-testid=audit-row]").first.get_attribute("data-type") == "reactivated"


def test_move_a_subtree_under_another_upline(browser: Browser):
    nodes = seed_network()
    page, app = open_area(browser, f"/distributor/{gid(nodes['wang'])}")
    app.locator("[data-testid=action-move]").click()
    ok = app.locator("[data-testid=confirm-ok]")
    assert ok.is_disabled(), "no upline picked yet"
    app.locator("[data-testid=move-search] input, input[data-testid=move-search]").first.fill("West")
    candidate = app.locator('[data-testid=move-candidate][data-name="华西区域经销商 West China"]')
    candidate.check()
    screenshot(page, "console-distributors-confirm-move-en-1280")
    assert ok.inner_text() == "Move under 华西区域经销商 West China"
    ok.click()
    app.locator("[data-testid=upline]", has_text="华西区域经销商 West China").wait_for()
    wang = Distributor.objects.get(pk=nodes["wang"].pk)
    assert wang.path.startswith(Distributor.objects.get(pk=nodes["west"].pk).path)
    assert Distributor.objects.get(pk=nodes["li"].pk).path.startswith(wang.path), "the team moved along"


def test_move_refused_into_own_team_is_shown(browser: Browser):
    nodes = seed_network()
    page, app = open_area(browser, f"/distributor/{gid(nodes['east'])}")
    app.locator("[data-testid=action-move]").click()
    app.locator("[data-testid=move-search] input, input[data-testid=move-search]").first.fill("Wang")
    app.locator('[data-testid=move-candidate][data-name="王芳 Wang Fang"]').check()
    app.locator("[data-testid=confirm-ok]").click()
    problem = app.locator("[data-testid=action-problem]")
    problem.wait_for()
    assert problem.inner_text().startswith("Not changed:")
    assert Distributor.objects.get(pk=nodes["east"].pk).depth == 1
    screenshot(page, "console-distributors-move-refused-en-1280")


def test_simplified_chinese(browser: Browser):
    nodes = seed_network()
    seed_money(nodes["wang"])
    page, app = open_area(browser, f"/distributor/{gid(nodes['wang'])}", locale="zh-Hans")
    app.locator("[data-testid=ledger-row]").first.wait_for()
    assert app.locator("[data-testid=tab-list]").inner_text() == "全部分销商"
    assert "有效 2 位 · 累计 3 位" in app.locator("[data-testid=bindings]").inner_text()
    assert "佣金结算" in app.locator("[data-testid=ledger]").inner_text()
    assert "冻结中" in app.locator("[data-testid=commissions]").inner_text()
    assert "上级：" in app.locator("[data-testid=upline]").inner_text()
    screenshot(page, "console-distributors-detail-zh-Hans-1280")
    page, app = open_area(browser, "/network", locale="zh-Hans")
    app.locator("[data-testid=network-level]").wait_for()
    assert app.locator("[data-testid=level-count]").first.inner_text() == "下 1 级：2"
    screenshot(page, "console-distributors-network-brand-zh-Hans-1280")
    page, app = open_area(browser, "/list", locale="zh-Hans")
    app.locator("[data-testid=distributors]").wait_for()
    assert app.locator("[data-testid=list-count]").inner_text() == "共 7 位"
    screenshot(page, "console-distributors-list-zh-Hans-1280")


@pytest.mark.parametrize("view", ["/list", "/network"])
def test_staff_without_manage_users_sees_a_refusal(browser: Browser, view: str):
    seed_network()
    page, app = open_area(browser, view, user="support")
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "Manage customers" in refusal.inner_text() and "MANAGE_USERS" in refusal.inner_text()
    assert app.locator("[data-testid=filters]").count() == 0
    screenshot(page, f"console-distributors-{view[1:]}-refusal-en-1280")


def test_tablet_width(browser: Browser):
    nodes = seed_network()
    seed_money(nodes["wang"])
    for view, ready, name in (
        ("/list", "[data-testid=distributors]", "list"),
        ("/network", "[data-testid=network-level]", "network-brand"),
        (f"/distributor/{gid(nodes['wang'])}", "[data-testid=ledger-row]", "detail"),
    ):
        page, app = open_area(browser, view, viewport=TABLET)
        app.locator(ready).first.wait_for()
        overflow = app.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"no horizontal scrolling on a tablet ({view})"
        screenshot(page, f"console-distributors-{name}-en-820")


@pytest.mark.parametrize("view", ["network", "list", "distributor"])
def test_loading_then_error_then_retry(browser: Browser, view: str):
    nodes = seed_network()
    hashes = {"network": "/network", "list": "/list", "distributor": f"/distributor/{gid(nodes['wang'])}"}
    ready = {"network": "network-level", "list": "distributors", "distributor": "distributor-page"}
    _page, app, _ = loading_then_error_then_retry(
        browser, f"/dashboard/?page=distributors#{hashes[view]}", f"console-distributors-{view}"
    )
    app.locator(f"[data-testid={ready[view]}]").wait_for()


def test_dark_theme_from_the_dashboard(browser: Browser):
    nodes = seed_network()
    seed_money(nodes["wang"])
    page, app = open_area(browser, f"/distributor/{gid(nodes['wang'])}", extra="&theme=dark")
    app.locator("[data-testid=ledger-row]").first.wait_for()
    card = app.locator("[data-testid=team]").evaluate("e => getComputedStyle(e).color")
    red, green, blue = (int(v) for v in re.findall(r"\d+", card)[:3])
    assert red + green + blue > 450, f"light text on the dark page: {card}"
    screenshot(page, "console-distributors-detail-dark-en-1280")
