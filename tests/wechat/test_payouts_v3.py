"""WeChat Pay APIv3 商家转账 through wechatpayv3's real client, against the fake WeChat Pay over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization

from saleor_wechat_distribution.domain.payouts import PayoutState
from saleor_wechat_distribution.ports import InvalidNotification
from saleor_wechat_distribution.testing.fake_wechatpay import (
    FakeWeChatPay,
    rsa_test_key,
    self_signed_certificate,
)
from saleor_wechat_distribution.wechat.payouts_errors import (
    PayoutBillNotFound,
    PayoutConflict,
    PayoutTemporaryError,
)
from saleor_wechat_distribution.wechat.payouts_v3 import WeChatPayV3Payouts, WeChatPayV3Settings

OPENID = "o-MYE42l80oelYMDE34nYD456Xoy"


def settings_for(world: FakeWeChatPay, **overrides: object) -> WeChatPayV3Settings:
    values: dict[str, object] = {
        "mchid": world.merchant.mchid,
        "appid": world.merchant.appid,
        "private_key": world.merchant.private_key_pem,
        "cert_serial_no": world.merchant.cert_serial_no,
        "apiv3_key": world.merchant.apiv3_key,
        "api_base_url": world.base_url,
    }
    if world.signing_mode == "public_key":
        values |= {"public_key": world.platform.public_key_pem, "public_key_id": world.platform.public_key_id}
    else:
        values |= {"platform_certificates": (world.platform.certificate_pem,)}
    values |= overrides
    return WeChatPayV3Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay() as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture
def gateway(world: FakeWeChatPay) -> WeChatPayV3Payouts:
    return WeChatPayV3Payouts(settings_for(world))


def send(
    gateway: WeChatPayV3Payouts, world: FakeWeChatPay, out_bill_no: str = "WD0001", amount_fen: int = 1234
):
    return gateway.transfer(
        out_bill_no=out_bill_no,
        app_id=world.merchant.appid,
        openid=OPENID,
        amount_fen=amount_fen,
        remark="佣金提现",
    )


# --- transfers -----------------------------------------------------------------------------------------


def test_wait_user_confirm_then_confirmed(gateway, world):
    balance = world.balance_fen

    result = send(gateway, world)

    assert result.state == PayoutState.WAIT_USER_CONFIRM
    assert result.raw_state == "WAIT_USER_CONFIRM"
    assert result.package_info and result.package_info == world.bills["WD0001"].package_info
    assert result.provider_bill_no == world.bills["WD0001"].transfer_bill_no
    assert world.balance_fen == balance - 1234  # locked
    assert world.paid_fen(OPENID) == 0
    assert gateway.query(out_bill_no="WD0001").state == PayoutState.WAIT_USER_CONFIRM

    world.user_confirms("WD0001")

    confirmed = gateway.query(out_bill_no="WD0001")
    assert confirmed.state == PayoutState.SUCCESS
    assert confirmed.package_info == ""
    assert world.paid_fen(OPENID) == 1234
    assert world.balance_fen == balance - 1234


def test_success_without_confirmation(gateway, world):
    world.next_transfer_outcome = "SUCCESS"

    result = send(gateway, world)

    assert result.state == PayoutState.SUCCESS
    assert world.paid_fen(OPENID) == 1234


def test_request_carries_the_scene_report_infos_and_signs_with_the_public_key_id(gateway, world):
    send(gateway, world)

    request = world.requests[-1]
    body = request.json()
    assert body["transfer_scene_id"] == "1000"
    assert {i["info_type"] for i in body["transfer_scene_report_infos"]} == {"活动名称", "奖励说明"}
    assert body["user_recv_perception"] == "现金奖励"
    assert request.headers["Wechatpay-Serial"] == world.platform.public_key_id
    assert request.headers["Authorization"].startswith("WECHATPAY2-SHA256-RSA2048 ")


def test_never_confirmed_is_cancelled_and_the_money_returns(gateway, world):
    balance = world.balance_fen
    send(gateway, world)

    world.user_never_confirms("WD0001")

    result = gateway.query(out_bill_no="WD0001")
    assert result.state == PayoutState.CANCELLED
    assert result.raw_state == "CANCELLED"
    assert world.balance_fen == balance
    assert world.paid_fen(OPENID) == 0


def test_cancel_before_confirmation(gateway, world):
    balance = world.balance_fen
    send(gateway, world)

    cancelling = gateway.cancel(out_bill_no="WD0001")

    assert cancelling.state == PayoutState.PROCESSING
    assert cancelling.raw_state == "CANCELING"
    assert gateway.query(out_bill_no="WD0001").state == PayoutState.CANCELLED
    assert world.balance_fen == balance
    with pytest.raises(ValueError, match="CANCELLED"):
        world.user_confirms("WD0001")
    assert gateway.cancel(out_bill_no="WD0001").state == PayoutState.CANCELLED  # idempotent


def test_cancel_after_success_reports_the_current_state(gateway, world):
    send(gateway, world)
    world.user_confirms("WD0001")

    result = gateway.cancel(out_bill_no="WD0001")

    assert result.state == PayoutState.SUCCESS
    assert world.paid_fen(OPENID) == 1234


def test_cancel_and_query_of_an_unknown_bill(gateway, world):
    with pytest.raises(PayoutBillNotFound):
        gateway.cancel(out_bill_no="NEVERSENT")
    with pytest.raises(PayoutBillNotFound):
        gateway.query(out_bill_no="NEVERSENT")


def test_fail_state(gateway, world):
    balance = world.balance_fen
    world.next_transfer_outcome = "FAIL"
    world.next_fail_reason = "REAL_NAME_CHECK_FAIL"

    result = send(gateway, world)

    assert result.state == PayoutState.FAILED
    assert result.fail_reason == "REAL_NAME_CHECK_FAIL"
    assert world.balance_fen == balance


def test_processing_then_settled(gateway, world):
    world.next_transfer_outcome = "ACCEPTED"

    assert send(gateway, world).state == PayoutState.PROCESSING

    world.settle("WD0001", "FAIL", "ACCOUNT_NOT_EXIST")
    result = gateway.query(out_bill_no="WD0001")
    assert (result.state, result.fail_reason) == (PayoutState.FAILED, "ACCOUNT_NOT_EXIST")


@pytest.mark.parametrize("outcome", ["NOT_ENOUGH", "SYSTEM_ERROR", "FREQUENCY_LIMITED"])
def test_retryable_errors_are_temporary_and_the_same_number_works_later(gateway, world, outcome):
    world.next_transfer_outcome = outcome

    with pytest.raises(PayoutTemporaryError) as caught:
        send(gateway, world)

    assert caught.value.code == outcome
    assert caught.value.out_bill_no == "WD0001"
    assert world.bills == {}
    assert world.calls["transfer_bills.query"] == 0  # nothing to confirm: the retry re-enters
    assert send(gateway, world).state == PayoutState.WAIT_USER_CONFIRM


def test_short_balance_is_not_enough_until_topped_up(gateway, world):
    world.balance_fen = 1000

    with pytest.raises(PayoutTemporaryError, match="NOT_ENOUGH"):
        send(gateway, world, amount_fen=1234)

    world.balance_fen += 10_000
    assert send(gateway, world, amount_fen=1234).state == PayoutState.WAIT_USER_CONFIRM


def test_answer_lost_after_wechat_accepted_the_bill_pays_once(gateway, world):
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"

    with pytest.raises(PayoutTemporaryError, match="SYSTEM_ERROR"):
        send(gateway, world)
    retried = send(gateway, world)

    assert retried.state == PayoutState.WAIT_USER_CONFIRM
    assert retried.package_info == world.bills["WD0001"].package_info
    assert world.calls["transfer_bills.create"] == 2
    assert len(world.bills) == 1
    world.user_confirms("WD0001")
    assert len(world.payments_for("WD0001")) == 1
    assert world.paid_fen(OPENID) == 1234


def test_duplicate_out_bill_no_moves_money_once(gateway, world):
    world.next_transfer_outcome = "SUCCESS"
    balance = world.balance_fen

    first = send(gateway, world)
    second = send(gateway, world)

    assert first.state == second.state == PayoutState.SUCCESS
    assert first.provider_bill_no == second.provider_bill_no
    assert world.calls["transfer_bills.create"] == 2
    assert len(world.payments_for("WD0001")) == 1
    assert world.paid_fen(OPENID) == 1234
    assert world.balance_fen == balance - 1234


def test_same_number_for_another_amount_is_a_conflict(gateway, world):
    send(gateway, world, amount_fen=1234)

    with pytest.raises(PayoutConflict) as caught:
        send(gateway, world, amount_fen=9999)

    assert caught.value.code == "INVALID_REQUEST"
    assert len(world.bills) == 1 and world.bills["WD0001"].amount_fen == 1234


def test_final_refusal_is_failed_once_the_query_finds_no_bill(gateway, world):
    result = send(gateway, world, amount_fen=5)  # below WeChat Pay's 0.1 CNY minimum

    assert result.state == PayoutState.FAILED
    assert result.fail_reason.startswith("PARAM_ERROR")
    assert result.raw_state == "PARAM_ERROR"
    assert world.calls["transfer_bills.query"] == 1
    assert world.bills == {}


def test_scene_not_opened_is_failed(world):
    gateway = WeChatPayV3Payouts(settings_for(world, transfer_scene_id="1999"))

    result = send(gateway, world)

    assert result.state == PayoutState.FAILED
    assert result.raw_state == "INVALID_REQUEST"


def test_user_name_is_sent_encrypted_and_required_from_2000_cny(gateway, world):
    with pytest.raises(ValueError, match="real name"):
        send(gateway, world, amount_fen=200_000)
    assert world.calls == {}

    gateway.transfer(
        out_bill_no="WD0002",
        app_id=world.merchant.appid,
        openid=OPENID,
        amount_fen=200_000,
        remark="佣金提现",
        user_name="张三",
    )

    sent = world.requests[-1].json()["user_name"]
    assert sent != "张三"  # RSA-OAEP with the WeChat Pay public key
    assert world.bills["WD0002"].user_name == "张三"


@pytest.mark.parametrize(
    ("field", "value"),
    [("out_bill_no", "WD-0001"), ("out_bill_no", "x" * 33), ("amount_fen", 0), ("remark", "备" * 33)],
)
def test_caller_mistakes_raise_before_anything_is_sent(gateway, world, field, value):
    arguments = {
        "out_bill_no": "WD0001",
        "app_id": world.merchant.appid,
        "openid": OPENID,
        "amount_fen": 100,
        "remark": "佣金提现",
    } | {field: value}

    with pytest.raises(ValueError):
        gateway.transfer(**arguments)
    assert world.calls == {}


def test_requests_signed_with_another_key_are_refused(world):
    stranger = rsa_test_key("stranger").private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    gateway = WeChatPayV3Payouts(settings_for(world, private_key=stranger.decode()))

    with pytest.raises(PayoutTemporaryError) as caught:
        send(gateway, world)

    assert (caught.value.code, caught.value.http_status) == ("SIGN_ERROR", 401)
    assert world.refused["SIGN_ERROR"] == 1
    assert world.bills == {}


def test_an_answer_that_does_not_verify_is_never_trusted(world):
    impostor = (
        rsa_test_key("impostor")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    gateway = WeChatPayV3Payouts(settings_for(world, public_key=impostor.decode()))
    world.next_transfer_outcome = "SUCCESS"

    with pytest.raises(PayoutTemporaryError) as caught:
        send(gateway, world)

    assert caught.value.code == "INVALID_RESPONSE"


def test_network_failure_is_temporary(world):
    gateway = WeChatPayV3Payouts(settings_for(world))
    world.stop()

    with pytest.raises(PayoutTemporaryError) as caught:
        send(gateway, world)

    assert caught.value.code == "NETWORK_ERROR"


# --- platform certificate mode -------------------------------------------------------------------------


def test_platform_certificate_mode():
    with FakeWeChatPay(signing_mode="certificate") as world:
        gateway = WeChatPayV3Payouts(settings_for(world))

        assert send(gateway, world).state == PayoutState.WAIT_USER_CONFIRM
        world.user_confirms("WD0001")
        headers, body = world.transfer_notification("WD0001")
        assert gateway.parse_notification(headers=headers, body=body).state == PayoutState.SUCCESS
        assert world.calls["certificates"] == 0
        assert world.requests[0].headers.get("Wechatpay-Serial") is None


def test_platform_certificate_rotation_downloads_the_new_one_from_the_same_host(tmp_path):
    retired = self_signed_certificate("retired").public_bytes(serialization.Encoding.PEM).decode()
    with FakeWeChatPay(signing_mode="certificate") as world:
        gateway = WeChatPayV3Payouts(
            settings_for(world, platform_certificates=(retired,), platform_cert_dir=str(tmp_path))
        )

        assert send(gateway, world).state == PayoutState.WAIT_USER_CONFIRM
        assert world.calls["certificates"] == 1
        assert (tmp_path / f"{world.platform.certificate_serial_no}.pem").exists()


def test_settings_need_a_way_to_verify_wechat_pay(world):
    with pytest.raises(ValueError, match="go together"):
        settings_for(world, public_key_id="")
    with pytest.raises(ValueError, match="public key"):
        WeChatPayV3Settings(mchid="1", appid="wx", private_key="k", cert_serial_no="s", apiv3_key="a")


def test_settings_repr_hides_secrets(world):
    text = repr(settings_for(world))
    assert world.merchant.apiv3_key not in text
    assert "PRIVATE KEY" not in text


# --- notifications -------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(gateway, world) -> str:
    send(gateway, world)
    world.user_confirms("WD0001")
    return "WD0001"


def test_notification_is_verified_and_decrypted(gateway, world, confirmed):
    headers, body = world.transfer_notification(confirmed)

    result = gateway.parse_notification(headers=headers, body=body)

    assert result.out_bill_no == confirmed
    assert result.state == PayoutState.SUCCESS
    assert result.provider_bill_no == world.bills[confirmed].transfer_bill_no
    assert "ciphertext" in json.loads(body)["resource"]


@pytest.mark.parametrize("style", ["django_meta", "lower_case"])
def test_notification_headers_as_frameworks_present_them(gateway, world, confirmed, style):
    headers, body = world.transfer_notification(confirmed)
    if style == "django_meta":
        headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    else:
        headers = {k.lower(): v for k, v in headers.items()}

    assert gateway.parse_notification(headers=headers, body=body).state == PayoutState.SUCCESS


def test_notification_of_a_cancelled_bill(gateway, world):
    send(gateway, world)
    world.user_never_confirms("WD0001")
    headers, body = world.transfer_notification("WD0001")

    assert gateway.parse_notification(headers=headers, body=body).state == PayoutState.CANCELLED


def test_tampered_body_is_refused(gateway, world, confirmed):
    headers, body = world.transfer_notification(confirmed)
    tampered = body.replace("商家转账单据终态通知".encode(), "商家转账单据终态通知!".encode())

    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers=headers, body=tampered)


def test_wrong_signature_is_refused(gateway, world, confirmed):
    headers, body = world.transfer_notification(confirmed, signing_key=rsa_test_key("attacker"))

    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers=headers, body=body)


def test_signature_probe_is_refused(gateway, world, confirmed):
    headers, body = world.transfer_notification(confirmed)
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]

    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers=headers, body=body)


@pytest.mark.parametrize("age", [301, 3600, -3600])
def test_stale_or_future_timestamp_is_refused(gateway, world, confirmed, age):
    headers, body = world.transfer_notification(confirmed, timestamp=int(time.time()) - age)

    with pytest.raises(InvalidNotification, match="stale"):
        gateway.parse_notification(headers=headers, body=body)


def test_timestamp_is_judged_by_the_gateway_clock(world, confirmed):
    headers, body = world.transfer_notification(confirmed)
    later = WeChatPayV3Payouts(settings_for(world), clock=lambda: time.time() + 600)

    with pytest.raises(InvalidNotification, match="stale"):
        later.parse_notification(headers=headers, body=body)


def test_wrong_apiv3_key_is_refused(gateway, world, confirmed):
    headers, body = world.transfer_notification(confirmed, apiv3_key="0" * 32)

    with pytest.raises(InvalidNotification, match="did not verify"):
        gateway.parse_notification(headers=headers, body=body)


def test_other_serial_is_refused_without_calling_out(gateway, world, confirmed):
    headers, body = world.transfer_notification(confirmed, mode="certificate")

    with pytest.raises(InvalidNotification, match="public key id"):
        gateway.parse_notification(headers=headers, body=body)
    assert world.calls["certificates"] == 0


@pytest.mark.parametrize("missing", ["Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce"])
def test_missing_headers_are_refused(gateway, world, confirmed, missing):
    headers, body = world.transfer_notification(confirmed)
    del headers[missing]

    with pytest.raises(InvalidNotification, match="missing"):
        gateway.parse_notification(headers=headers, body=body)


def test_oversized_or_garbage_bodies_are_refused(gateway, world, confirmed):
    headers, _body = world.transfer_notification(confirmed)

    with pytest.raises(InvalidNotification, match="too large"):
        gateway.parse_notification(headers=headers, body=b"{" + b" " * 70_000 + b"}")
    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers=headers, body=b"\xff\xfe not json")


def test_notification_for_another_merchant_is_refused(world, confirmed):
    headers, body = world.transfer_notification(confirmed)
    other = WeChatPayV3Payouts(settings_for(world, mchid="1900000999"))

    with pytest.raises(InvalidNotification, match="another merchant"):
        other.parse_notification(headers=headers, body=body)
