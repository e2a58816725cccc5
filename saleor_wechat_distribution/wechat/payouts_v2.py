"""Payouts through legacy WeChat Pay v2 企业付款到零钱, with wechatpy (XML, MD5 signature, client cert).

For merchants who still have the old product. No user confirmation (a successful answer means the money
is in the user's wallet), no cancellation, no notifications. ``partner_trade_no`` is our ``out_bill_no``:
WeChat Pay answers a re-sent number with the original result and never pays it twice.

Error handling follows WeChat Pay's v2 instructions ("请先调用查询接口，查看此次付款结果，如结果为不明确状态
（如订单号不存在），请务必使用原商户订单号进行重试"): after any error answer the transfer is queried; what the
query says wins. Only when no transfer exists *and* the error is a final refusal is the payout FAILED.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests
from wechatpy.exceptions import WeChatPayException
from wechatpy.pay import WeChatPay

from ..domain.payouts import PayoutResult, PayoutState
from ..ports import InvalidNotification, PayoutGateway
from ._payouts_common import check_out_bill_no, check_transfer
from .payouts_errors import PayoutBillNotFound, PayoutConflict, PayoutError, PayoutTemporaryError

__all__ = ["FINAL_ERROR_CODES", "STATES", "WeChatPayV2Payouts", "WeChatPayV2Settings"]

logger = logging.getLogger(__name__)

#: gettransferinfo ``status`` -> ours; unknown reads as PROCESSING
STATES: dict[str, PayoutState] = {
    "SUCCESS": PayoutState.SUCCESS,
    "FAILED": PayoutState.FAILED,
    "PROCESSING": PayoutState.PROCESSING,
}

#: err_codes that refuse a transfer for good. SYSTEMERROR, FREQ_LIMIT, NOTENOUGH (top up, retry the same
#: number), SEND_FAILED, CA_ERROR, SIGN_ERROR and unknown codes are temporary.
FINAL_ERROR_CODES = frozenset(
    {
        "NO_AUTH",
        "AMOUNT_LIMIT",
        "PARAM_ERROR",
        "OPENID_ERROR",
        "NAME_MISMATCH",
        "V2_ACCOUNT_SIMPLE_BAN",
        "MONEY_LIMIT",
        "SENDNUM_LIMIT",
        "SEND_MONEY_LIMIT",
        "RECEIVED_MONEY_LIMIT",
        "RECV_ACCOUNT_NOT_ALLOWED",
        "PAY_CHANNEL_NOT_ALLOWED",
        "PAYER_ACCOUNT_ABNORMAL",
        "PAYEE_ACCOUNT_ABNORMAL",
        "XML_ERROR",
    }
)

#: 企业付款 ``desc`` limit
MAX_DESC_CHARS = 100


@dataclass(frozen=True)
class WeChatPayV2Settings:
    mchid: str
    appid: str
    #: the v2 API key (32 characters, MD5 signatures)
    api_key: str = field(repr=False)
    #: apiclient_cert.pem / apiclient_key.pem: WeChat Pay requires them for transfers in production; left
    #: empty only against a test server
    mch_cert_path: str = ""
    mch_key_path: str = ""
    #: spbill_create_ip; WeChat Pay does not match it against the IP whitelist. Given explicitly because
    #: wechatpy's fallback resolves api.mch.weixin.qq.com to find our address.
    client_ip: str = "127.0.0.1"
    api_base_url: str = "https://api.mch.weixin.qq.com/"
    timeout: float = 20.0

    def __post_init__(self) -> None:
        if bool(self.mch_cert_path) != bool(self.mch_key_path):
            raise ValueError("mch_cert_path and mch_key_path go together")


class WeChatPayV2Payouts(PayoutGateway):
    """``PayoutGateway`` over v2 企业付款到零钱."""

    def __init__(self, settings: WeChatPayV2Settings) -> None:
        self.settings = settings
        self._clients: dict[str, WeChatPay] = {}

    def _client(self, app_id: str = "") -> WeChatPay:
        """One wechatpy client per app id: 企业付款 pays the openid of ``mch_appid``, a client setting."""
        app_id = app_id or self.settings.appid
        client = self._clients.get(app_id)
        if client is None:
            s = self.settings
            client = WeChatPay(
                appid=app_id,
                api_key=s.api_key,
                mch_id=s.mchid,
                mch_cert=s.mch_cert_path or None,
                mch_key=s.mch_key_path or None,
                timeout=s.timeout,
            )
            # wechatpy's own override point: a class attribute its requests read through ``self``
            client.API_BASE_URL = s.api_base_url.rstrip("/") + "/"
            self._clients[app_id] = client
        return client

    # --- PayoutGateway -------------------------------------------------------------------------------

    def transfer(
        self, *, out_bill_no: str, app_id: str, openid: str, amount_fen: int, remark: str, user_name: str = ""
    ) -> PayoutResult:
        check_transfer(
            out_bill_no=out_bill_no,
            openid=openid,
            amount_fen=amount_fen,
            remark=remark,
            max_remark=MAX_DESC_CHARS,
        )
        try:
            answer = self._client(app_id).transfer.transfer(
                user_id=openid,
                amount=amount_fen,
                desc=remark,
                client_ip=self.settings.client_ip,
                check_name="FORCE_CHECK" if user_name else "NO_CHECK",
                real_name=user_name or None,
                out_trade_no=out_bill_no,
            )
        except WeChatPayException as exc:
            return self._after_error(exc, out_bill_no=out_bill_no, openid=openid, amount_fen=amount_fen)
        except requests.RequestException as exc:
            raise PayoutTemporaryError("NETWORK_ERROR", type(exc).__name__, out_bill_no=out_bill_no) from exc
        if not isinstance(answer, dict):  # wechatpy hands back the raw text when it is not XML
            raise PayoutTemporaryError("INVALID_RESPONSE", "answer is not XML", out_bill_no=out_bill_no)
        return PayoutResult(
            out_bill_no=out_bill_no,
            state=PayoutState.SUCCESS,
            provider_bill_no=str(answer.get("payment_no") or ""),
            raw_state="SUCCESS",
        )

    def query(self, *, out_bill_no: str) -> PayoutResult:
        return _result(out_bill_no, self._query_answer(out_bill_no))

    def cancel(self, *, out_bill_no: str) -> PayoutResult:
        """v2 企业付款 cannot be cancelled: the current state comes back."""
        return self.query(out_bill_no=out_bill_no)

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> PayoutResult:
        raise InvalidNotification("WeChat Pay v2 企业付款 sends no notifications")

    # --- plumbing ------------------------------------------------------------------------------------

    def _after_error(
        self, exc: WeChatPayException, *, out_bill_no: str, openid: str, amount_fen: int
    ) -> PayoutResult:
        code, message = _error_fields(exc)
        try:
            found = self._query_answer(out_bill_no)
        except PayoutBillNotFound:
            if code in FINAL_ERROR_CODES:
                logger.info("WeChat Pay v2 refused transfer %s: %s", out_bill_no, code)
                return PayoutResult(
                    out_bill_no=out_bill_no,
                    state=PayoutState.FAILED,
                    fail_reason=f"{code}: {message}",
                    raw_state=code,
                )
            raise PayoutTemporaryError(code, message, out_bill_no=out_bill_no) from exc
        if found.get("openid") == openid and _int(found.get("payment_amount")) == amount_fen:
            result = _result(out_bill_no, found)
            if result.state == PayoutState.FAILED and code not in ("SYSTEMERROR", "UNKNOWN"):
                # the query only has a sentence; the transfer's err_code is what a program can act on
                result = replace(result, fail_reason=f"{code}: {result.fail_reason}")
            return result
        raise PayoutConflict(code, message, out_bill_no=out_bill_no) from exc

    def _query_answer(self, out_bill_no: str) -> dict[str, Any]:
        check_out_bill_no(out_bill_no)
        try:
            answer = self._client().transfer.query(out_bill_no)
        except WeChatPayException as exc:
            code, message = _error_fields(exc)
            if code == "NOT_FOUND":
                raise PayoutBillNotFound(code, message, out_bill_no=out_bill_no) from exc
            if code in FINAL_ERROR_CODES:
                raise PayoutError(code, message, out_bill_no=out_bill_no) from exc
            raise PayoutTemporaryError(code, message, out_bill_no=out_bill_no) from exc
        except requests.RequestException as exc:
            raise PayoutTemporaryError("NETWORK_ERROR", type(exc).__name__, out_bill_no=out_bill_no) from exc
        if not isinstance(answer, dict):
            raise PayoutTemporaryError("INVALID_RESPONSE", "answer is not XML", out_bill_no=out_bill_no)
        return answer


def _error_fields(exc: WeChatPayException) -> tuple[str, str]:
    """(code, message): ``err_code`` for business errors; ``return_code`` (FAIL) for refusals before the
    business layer (signature, format); the HTTP status when the answer was not even XML."""
    if exc.errcode:
        code = str(exc.errcode)
    elif exc.return_code:
        code = str(exc.return_code)
    elif exc.response is not None:
        code = f"HTTP_{exc.response.status_code}"
    else:
        code = "UNKNOWN"
    return code, str(exc.errmsg or exc.return_msg or "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _result(out_bill_no: str, answer: Mapping[str, Any]) -> PayoutResult:
    raw_state = str(answer.get("status") or "")
    state = STATES.get(raw_state, PayoutState.PROCESSING)
    return PayoutResult(
        out_bill_no=out_bill_no,
        state=state,
        provider_bill_no=str(answer.get("detail_id") or ""),
        fail_reason=str(answer.get("reason") or "") if state == PayoutState.FAILED else "",
        raw_state=raw_state,
    )
