"""Payouts through WeChat Pay APIv3 商家转账 (the 2025 user-confirmation mode), with wechatpayv3.

Flow: ``transfer`` creates a bill (POST ``/v3/fund-app/mch-transfer/transfer-bills``); WeChat Pay
normally answers ``WAIT_USER_CONFIRM`` with a ``package_info`` the mini program / H5 page passes to
``wx.requestMerchantTransfer`` so the user confirms; the result arrives as a ``MCHTRANSFER.BILL.FINISHED``
notification (``parse_notification``) and can be polled (``query``). ``cancel`` withdraws a bill the user
has not confirmed yet.

Money safety, after WeChat Pay's own instructions for this API: an error answer only describes the request.
Retryable and unknown codes raise ``PayoutTemporaryError`` (retry with the same ``out_bill_no``: WeChat Pay
answers a re-sent number with the existing bill, so nothing is paid twice). A final refusal is reported as
``FAILED`` only after a query confirmed that no bill exists under the number.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import requests

from ..domain.payouts import PayoutResult, PayoutState
from ..ports import InvalidNotification, PayoutGateway
from ._payouts_common import check_out_bill_no, check_transfer
from .payouts_errors import PayoutBillNotFound, PayoutConflict, PayoutError, PayoutTemporaryError
from .v3_client import build_client, verify_notification

__all__ = ["FINAL_ERROR_CODES", "STATES", "WeChatPayV3Payouts", "WeChatPayV3Settings"]

logger = logging.getLogger(__name__)

#: WeChat Pay bill states -> ours. Unknown states read as PROCESSING: never final by accident.
STATES: dict[str, PayoutState] = {
    "ACCEPTED": PayoutState.PROCESSING,
    "PROCESSING": PayoutState.PROCESSING,  # locking funds (stays here while the balance is short)
    "WAIT_USER_CONFIRM": PayoutState.WAIT_USER_CONFIRM,
    "TRANSFERING": PayoutState.PROCESSING,
    "SUCCESS": PayoutState.SUCCESS,
    "FAIL": PayoutState.FAILED,
    "CANCELING": PayoutState.PROCESSING,
    "CANCELLED": PayoutState.CANCELLED,
}

#: error codes that refuse the request for good (after a query shows no bill, the payout FAILED).
#: Everything else — SYSTEM_ERROR, FREQUENCY_LIMITED, NOT_ENOUGH ("请充值后原单重试"), SIGN_ERROR and any
#: code not listed here — is temporary: WeChat Pay says never to switch numbers on an unknown code.
FINAL_ERROR_CODES = frozenset({"PARAM_ERROR", "INVALID_REQUEST", "NO_AUTH", "APPID_MCHID_NOT_MATCH"})

#: WeChat Pay: user_name is mandatory from 2,000 CNY
USER_NAME_REQUIRED_FROM_FEN = 200_000
MAX_REMARK_CHARS = 32
MAX_NOTIFICATION_BYTES = 64 * 1024
TRANSFER_EVENT = "MCHTRANSFER.BILL.FINISHED"


@dataclass(frozen=True)
class WeChatPayV3Settings:
    """A merchant's APIv3 settings. Give either the WeChat Pay public key and its id (``PUB_KEY_ID_…``,
    what new merchants get) or the platform certificates (PEM; older merchants)."""

    mchid: str
    appid: str
    #: the merchant API private key (apiclient_key.pem, PKCS#8 PEM)
    private_key: str = field(repr=False)
    #: serial number of the merchant API certificate
    cert_serial_no: str
    apiv3_key: str = field(repr=False)
    public_key: str = ""
    public_key_id: str = ""
    platform_certificates: tuple[str, ...] = ()
    #: where wechatpayv3 keeps platform certificates (it downloads new ones there on rotation); a private
    #: temporary directory when empty
    platform_cert_dir: str = ""
    notify_url: str = ""
    #: 1000 = 现金营销; the scene must be opened on the merchant platform, with its report infos
    transfer_scene_id: str = "1000"
    transfer_scene_report_infos: tuple[tuple[str, str], ...] = (
        ("活动名称", "分销推广奖励"),
        ("奖励说明", "推广佣金提现"),
    )
    user_recv_perception: str = "现金奖励"
    #: https://api2.mch.weixin.qq.com is WeChat Pay's backup domain; tests use a local fake
    api_base_url: str = "https://api.mch.weixin.qq.com"
    #: (connect, read) seconds; wechatpayv3's default is to wait forever
    timeout: tuple[float, float] = (5.0, 20.0)
    #: notifications older (or newer) than this many seconds are refused (replays)
    notification_max_age: int = 300

    def __post_init__(self) -> None:
        if bool(self.public_key) != bool(self.public_key_id):
            raise ValueError("public_key and public_key_id go together")
        if not self.public_key and not (self.platform_certificates or self.platform_cert_dir):
            raise ValueError("give the WeChat Pay public key (and id) or the platform certificates")

    @property
    def mode(self) -> Literal["public_key", "certificate"]:
        return "public_key" if self.public_key else "certificate"


class WeChatPayV3Payouts(PayoutGateway):
    """``PayoutGateway`` over APIv3 商家转账. Thread-safe as far as wechatpayv3 is (one ``requests`` call
    per request, no shared session)."""

    def __init__(self, settings: WeChatPayV3Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._cert_tmp: list[tempfile.TemporaryDirectory[str]] = []
        self._client = build_client(settings, keep=self._cert_tmp)

    # --- PayoutGateway -------------------------------------------------------------------------------

    @property
    def mchid(self) -> str:
        """The merchant (商户号): ``wx.requestMerchantTransfer`` needs it beside the package."""
        return self.settings.mchid

    def transfer(
        self, *, out_bill_no: str, app_id: str, openid: str, amount_fen: int, remark: str, user_name: str = ""
    ) -> PayoutResult:
        check_transfer(
            out_bill_no=out_bill_no,
            openid=openid,
            amount_fen=amount_fen,
            remark=remark,
            max_remark=MAX_REMARK_CHARS,
        )
        if amount_fen >= USER_NAME_REQUIRED_FROM_FEN and not user_name:
            raise ValueError("WeChat Pay requires the user's real name for transfers from 2,000 CNY")
        settings = self.settings
        status, payload = self._call(
            out_bill_no,
            lambda: self._client.mch_transfer_bills(
                out_bill_no=out_bill_no,
                transfer_scene_id=settings.transfer_scene_id,
                openid=openid,
                transfer_amount=amount_fen,
                transfer_remark=remark,
                user_name=user_name or None,  # encrypted by the library with the platform key
                user_recv_perception=settings.user_recv_perception or None,
                transfer_scene_report_infos=[
                    {"info_type": info_type, "info_content": content}
                    for info_type, content in settings.transfer_scene_report_infos
                ],
                appid=app_id or None,
            ),
        )
        if status == 200:
            return _result(out_bill_no, payload)
        code, message = _error_fields(status, payload)
        if _classify(status, code) != "final":
            raise PayoutTemporaryError(code, message, http_status=status, out_bill_no=out_bill_no)
        # A final refusal of *this request*. Whether money may be credited back depends on the bill: only
        # if none exists under the number (WeChat Pay: "查询原订单结果明确为失败时再更换商户订单号").
        try:
            bill = self._query_payload(out_bill_no)
        except PayoutBillNotFound:
            logger.info("WeChat Pay refused transfer %s: %s", out_bill_no, code)
            return PayoutResult(
                out_bill_no=out_bill_no,
                state=PayoutState.FAILED,
                fail_reason=f"{code}: {message}",
                raw_state=code,
            )
        if bill.get("openid") == openid and bill.get("transfer_amount") == amount_fen:
            return _result(out_bill_no, bill)
        raise PayoutConflict(code, message, http_status=status, out_bill_no=out_bill_no)

    def query(self, *, out_bill_no: str) -> PayoutResult:
        return _result(out_bill_no, self._query_payload(out_bill_no))

    def cancel(self, *, out_bill_no: str) -> PayoutResult:
        """Withdraw a bill the user has not confirmed. Answers CANCELING (-> PROCESSING) while WeChat Pay
        returns the money, then the bill reads CANCELLED. A bill past cancelling (e.g. SUCCESS) is not an
        error: its current state comes back."""
        check_out_bill_no(out_bill_no)
        status, payload = self._call(out_bill_no, lambda: self._client.mch_transfer_bills_cancel(out_bill_no))
        if status == 200:
            return _result(out_bill_no, payload)
        code, message = _error_fields(status, payload)
        kind = _classify(status, code)
        if kind == "not_found":
            raise PayoutBillNotFound(code, message, http_status=status, out_bill_no=out_bill_no)
        if kind == "final":
            return self.query(out_bill_no=out_bill_no)
        raise PayoutTemporaryError(code, message, http_status=status, out_bill_no=out_bill_no)

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> PayoutResult:
        """Verify and decrypt a ``MCHTRANSFER.BILL.FINISHED`` notification.

        ``headers`` may come as sent (``Wechatpay-Signature``), lower-cased, or as Django's ``request.META``
        (``HTTP_WECHATPAY_SIGNATURE``). Refused (``InvalidNotification``): oversized bodies, missing headers,
        timestamps outside ``notification_max_age`` (replays), a serial that is not our platform key's, a
        signature that does not verify, a resource that does not decrypt under our APIv3 key, another
        merchant's or another event's notification.
        """
        data = verify_notification(self._client, self.settings, headers=headers, body=body, clock=self._clock)
        if data.get("event_type") != TRANSFER_EVENT:
            raise InvalidNotification(f"not a transfer notification: {data.get('event_type')!r}")
        resource = data.get("resource")
        if not isinstance(resource, dict) or not resource.get("out_bill_no"):
            raise InvalidNotification("resource without out_bill_no")
        if str(resource.get("mch_id", "")) != self.settings.mchid:
            raise InvalidNotification("notification for another merchant")
        return _result(str(resource["out_bill_no"]), resource)

    # --- plumbing ------------------------------------------------------------------------------------

    def _query_payload(self, out_bill_no: str) -> dict[str, Any]:
        check_out_bill_no(out_bill_no)
        status, payload = self._call(
            out_bill_no, lambda: self._client.mch_transfer_bills_query(out_bill_no=out_bill_no)
        )
        if status == 200:
            return payload
        code, message = _error_fields(status, payload)
        kind = _classify(status, code)
        if kind == "not_found":
            raise PayoutBillNotFound(code, message, http_status=status, out_bill_no=out_bill_no)
        if kind == "final":
            raise PayoutError(code, message, http_status=status, out_bill_no=out_bill_no)
        raise PayoutTemporaryError(code, message, http_status=status, out_bill_no=out_bill_no)

    @staticmethod
    def _call(out_bill_no: str, send: Callable[[], tuple[int, Any]]) -> tuple[int, dict[str, Any]]:
        """Run one wechatpayv3 request; whatever goes wrong on the way, the outcome is unknown."""
        try:
            status, text = send()
        except requests.RequestException as exc:
            raise PayoutTemporaryError("NETWORK_ERROR", type(exc).__name__, out_bill_no=out_bill_no) from exc
        except Exception as exc:  # wechatpayv3 raises bare Exception, e.g. "failed to verify the signature"
            raise PayoutTemporaryError("INVALID_RESPONSE", str(exc), out_bill_no=out_bill_no) from exc
        return status, _json_object(text)


def _json_object(text: Any) -> dict[str, Any]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"message": str(text)[:200]}
    return value if isinstance(value, dict) else {}


def _error_fields(status: int, payload: Mapping[str, Any]) -> tuple[str, str]:
    return str(payload.get("code") or f"HTTP_{status}"), str(payload.get("message") or "")


def _classify(status: int, code: str) -> Literal["final", "not_found", "temporary"]:
    if status == 404 or code in ("NOT_FOUND", "RESOURCE_NOT_EXISTS"):
        return "not_found"
    if status == 429 or status >= 500:
        return "temporary"
    return "final" if code in FINAL_ERROR_CODES else "temporary"


def _result(out_bill_no: str, bill: Mapping[str, Any]) -> PayoutResult:
    raw_state = str(bill.get("state") or "")
    return PayoutResult(
        out_bill_no=out_bill_no,
        state=STATES.get(raw_state, PayoutState.PROCESSING),
        provider_bill_no=str(bill.get("transfer_bill_no") or ""),
        package_info=str(bill.get("package_info") or "") if raw_state == "WAIT_USER_CONFIRM" else "",
        fail_reason=str(bill.get("fail_reason") or ""),
        raw_state=raw_state,
    )
