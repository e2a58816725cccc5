"""``wechat-distribution-app check-move``: README's checks of a move from plugin mode to App mode, on the
test database as the database the App's settings point at."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from saleor_wechat_distribution.app import __main__ as app_main
from saleor_wechat_distribution.app.move_check import compare_totals
from saleor_wechat_distribution.models import Commission, InboundEvent, SaleorAppInstallation
from saleor_wechat_distribution.services.app_installations import app_installation_register
from saleor_wechat_distribution.services.commissions import order_paid
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db
API_URL = "https://shop.example.com/graphql/"


@pytest.fixture
def allowed(settings):
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [API_URL]
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def installed(allowed) -> SaleorAppInstallation:
    return app_installation_register(
        saleor_api_url=API_URL, domain="shop.example.com", app_id="QXBwOjE=", auth_token="token",
        jwks=json.dumps({"keys": [{"kid": "k"}]}),
    )  # fmt: skip


@pytest.fixture
def paid(program, chain):
    """One referred order of 200.00: commissions 20.00 (level 1) and 6.00 (level 2)."""
    order_paid(order=order(line("200.00"), ref=chain[2].referral_code, user_id=7))


def _run(capsys, *args: str) -> tuple[int, str]:
    code = app_main.main(["check-move", *args])
    return code, capsys.readouterr().out


def test_a_healthy_move_passes_and_prints_the_totals(installed, paid, capsys):
    code, out = _run(capsys)
    assert code == 0, out
    assert "ok    migrations:" in out and "none pending" in out
    assert "ok    secrets: 1 sealed value(s) open with this key" in out
    assert f"ok    installation: {API_URL} (app QXBwOjE=)" in out
    assert "ok    events: none pending" in out
    assert "commissions CNY: 2 rows, amount 26.00, reversed 0.00 (frozen 2)" in out
    assert "attributions: CNY 1" in out
    assert out.rstrip().endswith("no problem.")
    assert connection.settings_dict["NAME"] in out.splitlines()[0]


def test_the_app_not_installed_is_a_problem(allowed, capsys):
    code, out = _run(capsys)
    assert code == 1
    assert f"FAIL  installation: the App is not installed in {API_URL}" in out
    assert out.rstrip().endswith("1 problem.")


def test_a_secret_sealed_with_another_key_is_a_problem(installed, settings, capsys):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "another passphrase than the one that sealed the token"
    code, out = _run(capsys)
    assert code == 1
    assert "FAIL  secrets: 1 sealed value(s) do not open with this key" in out
    assert "wechat_distribution_saleorappinstallation.auth_token_sealed" in out


def test_saleor_webhooks_not_processed_are_a_problem(installed, capsys):
    InboundEvent.objects.create(
        source="saleor:ORDER_PAID", dedupe_key="saleor:1", headers={}, body="{}", verified=True,
        error="SaleorUnavailable: Saleor did not answer",
    )  # fmt: skip
    InboundEvent.objects.create(source="wechat", dedupe_key="wx:1", headers={}, body="{}", verified=True)
    code, out = _run(capsys)
    assert code == 1
    assert "FAIL  events: 1 Saleor webhook(s) not processed yet" in out
    assert "1 with an error, the last: SaleorUnavailable: Saleor did not answer" in out


def test_a_migration_not_applied_is_a_problem(installed, capsys):
    latest = MigrationRecorder.Migration.objects.filter(app="wechat_distribution").order_by("-name").first()
    latest.delete()
    code, out = _run(capsys)
    assert code == 1
    assert f"FAIL  migrations: 1 pending ({latest.name}): run `migrate`" in out


def test_a_database_without_our_tables_is_named(installed, capsys):
    MigrationRecorder.Migration.objects.filter(app="wechat_distribution").delete()
    code, out = _run(capsys)
    assert code == 1
    assert "none of ours applied: is DATABASE_URL the database the plugin runs in" in out


def test_totals_saved_before_and_compared_after(installed, paid, tmp_path, capsys):
    saved = tmp_path / "before.json"
    assert _run(capsys, "--save", str(saved))[0] == 0
    assert json.loads(saved.read_text())["commissions"]["CNY"]["amount"] == "26.00"
    code, out = _run(capsys, "--compare", str(saved))
    assert code == 0 and f"ok    totals: same as {saved}" in out

    Commission.objects.filter(level=2).update(reversed_amount=Decimal("6.00"), status="cancelled")
    code, out = _run(capsys, "--compare", str(saved))
    assert code == 1
    assert "commissions.CNY.reversed: 6.00 (was 0.00)" in out
    assert "commissions.CNY.by_status.cancelled: 1 (was -)" in out


def test_an_unreadable_saved_file_is_a_problem(installed, tmp_path, capsys):
    code, out = _run(capsys, "--compare", str(tmp_path / "missing.json"))
    assert code == 1 and "FAIL  totals: cannot read" in out


def test_compare_totals_names_each_difference():
    before = {"ledger": {"CNY": {"entries": 2, "balance": "10.00"}}}
    assert compare_totals(before, before) == []
    assert compare_totals(before, {"ledger": {}}) == [
        "ledger.CNY.balance: - (was 10.00)", "ledger.CNY.entries: - (was 2)",
    ]  # fmt: skip
