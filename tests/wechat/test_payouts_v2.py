"""Legacy WeChat Pay v2 企业付款到零钱 through wechatpy's real client, against the fake WeChat Pay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from saleor_wechat_distribution.domain.payouts import PayoutState
from saleor_wechat_distribution.ports import InvalidNotification
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay
from saleor_wechat_distribution.wechat.payouts_errors import (
    PayoutBillNotFound,
    PayoutConflict,
    PayoutTemporaryError,
)
from saleor_wechat_distribution.wechat.payouts_v2 import WeChatPayV2Payouts, WeChatPayV2Settings

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def settings_for(world: FakeWeChatPay, **overrides: object) -> WeChatPayV2Settings:
    values: dict[str, object] = {
        "mchid": world.merchant.mchid,
        "appid": world.merchant.appid,
        "api_key": world.merchant.api_key_v2,
        "api_base_url": world.base_url,
    } | overrides
    return WeChatPayV2Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay() as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture
def gateway(world: FakeWeChatPay) -> WeChatPayV2Payouts:
    return WeChatPayV2Payouts(settings_for(world))


def send(
    gateway: WeChatPayV2Payouts, world: FakeWeChatPay, out_bill_no: str = "WD0001", amount_fen: int = 1234
):
    return gateway.transfer(
        out_bill_no=out_bill_no,
        app_id=world.merchant.appid,
        openid=OPENID,
        amount_fen=amount_fen,
        remark="佣金提现",
    )


def test_success_pays_at_once(gateway, world):
    balance = world.balance_fen

    result = send(gateway, world)

    assert result.state == PayoutState.SUCCESS
    assert result.package_info == ""  # no user confirmation in v2
    assert result.provider_bill_no == world.v2_transfers["WD0001"].payment_no
    assert world.paid_fen(OPENID) == 1234
    assert world.balance_fen == balance - 1234
    assert gateway.query(out_bill_no="WD0001").state == PayoutState.SUCCESS


def test_request_is_md5_signed_xml_without_name_check(gateway, world):
    send(gateway, world)

    body = world.requests[-1].body.decode()
    assert body.startswith("<xml>") and "<sign>" in body
    assert "<check_name><![CDATA[NO_CHECK]]></check_name>" in body
    assert "<partner_trade_no>" in body and "WD0001" in body


def test_real_name_is_force_checked(gateway, world):
    gateway.transfer(
        out_bill_no="WD0001",
        app_id=world.merchant.appid,
        openid=OPENID,
        amount_fen=100,
        remark="佣金",
        user_name="张三",
    )

    body = world.requests[-1].body.decode()
    assert "FORCE_CHECK" in body and "张三" in body


def test_duplicate_partner_trade_no_pays_once(gateway, world):
    first = send(gateway, world)
    second = send(gateway, world)

    assert first == second
    assert world.calls["v2.transfers"] == 2
    assert len(world.payments_for("WD0001")) == 1
    assert world.paid_fen(OPENID) == 1234


def test_same_number_for_another_amount_is_a_conflict(gateway, world):
    send(gateway, world, amount_fen=1234)

    with pytest.raises(PayoutConflict):
        send(gateway, world, amount_fen=4321)
    assert world.paid_fen(OPENID) == 1234


def test_fail(gateway, world):
    balance = world.balance_fen
    world.next_transfer_outcome = "FAIL"

    result = send(gateway, world)

    assert result.state == PayoutState.FAILED
    assert result.fail_reason.startswith("V2_ACCOUNT_SIMPLE_BAN")
    assert world.balance_fen == balance
    assert send(gateway, world).state == PayoutState.FAILED  # the same number stays failed


@pytest.mark.parametrize(("outcome", "code"), [("SYSTEM_ERROR", "SYSTEMERROR"), ("NOT_ENOUGH", "NOTENOUGH")])
def test_retryable_errors_are_temporary_after_the_query_finds_nothing(gateway, world, outcome, code):
    world.next_transfer_outcome = outcome

    with pytest.raises(PayoutTemporaryError) as caught:
        send(gateway, world)

    assert caught.value.code == code
    assert world.calls["v2.gettransferinfo"] == 1
    assert world.paid_fen(OPENID) == 0
    assert send(gateway, world).state == PayoutState.SUCCESS
    assert len(world.payments_for("WD0001")) == 1


def test_system_error_after_the_payment_reads_the_query(gateway, world):
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"

    result = send(gateway, world)

    assert result.state == PayoutState.SUCCESS
    assert send(gateway, world).state == PayoutState.SUCCESS
    assert len(world.payments_for("WD0001")) == 1


def test_processing_then_settled(gateway, world):
    world.next_transfer_outcome = "PROCESSING"

    assert send(gateway, world).state == PayoutState.PROCESSING

    world.settle_v2("WD0001", "SUCCESS")
    assert gateway.query(out_bill_no="WD0001").state == PayoutState.SUCCESS


def test_final_refusal_is_failed(gateway, world):
    result = send(gateway, world, amount_fen=10)  # below the 0.3 CNY minimum

    assert result.state == PayoutState.FAILED
    assert result.raw_state == "AMOUNT_LIMIT"
    assert world.v2_transfers == {}


def test_wrong_api_key_is_temporary_and_pays_nothing(world):
    gateway = WeChatPayV2Payouts(settings_for(world, api_key="0" * 32))

    with pytest.raises(PayoutTemporaryError):
        send(gateway, world)
    assert world.paid_fen(OPENID) == 0


def test_network_failure_is_temporary(world):
    gateway = WeChatPayV2Payouts(settings_for(world))
    world.stop()

    with pytest.raises(PayoutTemporaryError) as caught:
        send(gateway, world)
    assert caught.value.code == "NETWORK_ERROR"


def test_cancel_is_not_supported_and_reports_the_state(gateway, world):
    send(gateway, world)

    assert gateway.cancel(out_bill_no="WD0001").state == PayoutState.SUCCESS
    with pytest.raises(PayoutBillNotFound):
        gateway.cancel(out_bill_no="NEVERSENT")
    with pytest.raises(PayoutBillNotFound):
        gateway.query(out_bill_no="NEVERSENT")


def test_there_are_no_notifications(gateway):
    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers={}, body=b"<xml></xml>")


def test_caller_mistakes_raise_before_anything_is_sent(gateway, world):
    with pytest.raises(ValueError):
        send(gateway, world, out_bill_no="WD 0001")
    assert world.calls == {}


def test_client_certificate_paths_go_together(world):
    with pytest.raises(ValueError, match="go together"):
        settings_for(world, mch_cert_path="/etc/wechatpay/apiclient_cert.pem")
