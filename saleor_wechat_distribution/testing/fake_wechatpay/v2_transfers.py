"""v2 企业付款到零钱 (XML, MD5 signatures) in the fake WeChat Pay: transfers by ``partner_trade_no``."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal

from defusedxml import ElementTree

from ..fake_http import FakeRequest, FakeResponse
from .crypto import CST, v2_sign
from .state import AFTER_ACCEPT_OUTCOME, ERROR_OUTCOMES, V2_MIN_TRANSFER_FEN, Payment, V2Transfer


class V2Transfers:
    """Mixed into ``FakeWeChatPay`` (its state: ``v2_transfers``, ``balance_fen``, ``wallets``)."""

    def _install_v2_transfers(self) -> None:
        self.add_route(
            "POST", r"/mmpaymkttransfers/promotion/transfers", "v2.transfers", self._v2_transfer, api="v2"
        )
        self.add_route(
            "POST", r"/mmpaymkttransfers/gettransferinfo", "v2.gettransferinfo", self._v2_query, api="v2"
        )

    @staticmethod
    def _xml(params: dict[str, str]) -> FakeResponse:
        inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in params.items() if v != "")
        return FakeResponse(200, f"<xml>{inner}</xml>".encode(), "text/plain; charset=utf-8")

    def _v2_params(self, request: FakeRequest) -> dict[str, str] | FakeResponse:
        try:
            root = ElementTree.fromstring(request.body)
        except Exception:
            return self._xml({"return_code": "FAIL", "return_msg": "XML格式错误"})
        params = {child.tag: (child.text or "") for child in root}
        if params.get("sign") != v2_sign(params, self.merchant.api_key_v2):
            return self._xml({"return_code": "FAIL", "return_msg": "签名错误"})
        return params

    def _v2_error(self, err_code: str, message: str, params: dict[str, str]) -> FakeResponse:
        return self._xml(
            {
                "return_code": "SUCCESS",
                "return_msg": "",
                "result_code": "FAIL",
                "err_code": err_code,
                "err_code_des": message,
                "mch_appid": params.get("mch_appid") or params.get("appid", ""),
                "mchid": self.merchant.mchid,
                "nonce_str": secrets.token_hex(16),
            }
        )

    def _v2_answer(self, transfer: V2Transfer) -> FakeResponse:
        if transfer.status == "SUCCESS":
            return self._xml(
                {
                    "return_code": "SUCCESS",
                    "return_msg": "",
                    "result_code": "SUCCESS",
                    "mch_appid": transfer.appid,
                    "mchid": self.merchant.mchid,
                    "nonce_str": secrets.token_hex(16),
                    "partner_trade_no": transfer.partner_trade_no,
                    "payment_no": transfer.payment_no,
                    "payment_time": transfer.payment_time,
                }
            )
        if transfer.status == "FAILED":
            return self._v2_error(transfer.err_code, transfer.reason, {"mch_appid": transfer.appid})
        return self._v2_error("SYSTEMERROR", "系统繁忙，请稍后再试", {"mch_appid": transfer.appid})

    def _v2_transfer(self, request: FakeRequest) -> FakeResponse:
        params = self._v2_params(request)
        if isinstance(params, FakeResponse):
            return params
        if params.get("mchid") != self.merchant.mchid or params.get("mch_appid") not in self.appids:
            return self._v2_error("PARAM_ERROR", "mch_appid与mchid不匹配", params)
        for name in ("partner_trade_no", "openid", "amount", "desc", "check_name"):
            if not params.get(name):
                return self._v2_error("PARAM_ERROR", f"缺少参数 {name}", params)
        try:
            amount = int(params["amount"])
        except ValueError:
            return self._v2_error("PARAM_ERROR", "amount 必须为整数（分）", params)
        if params["check_name"] not in ("NO_CHECK", "FORCE_CHECK"):
            return self._v2_error("PARAM_ERROR", "check_name 取值错误", params)
        if params["check_name"] == "FORCE_CHECK" and not params.get("re_user_name"):
            return self._v2_error("PARAM_ERROR", "FORCE_CHECK 时 re_user_name 必填", params)
        if amount < V2_MIN_TRANSFER_FEN:
            return self._v2_error("AMOUNT_LIMIT", "付款金额不能小于最低限额", params)

        outcome = self._take_outcome()
        if outcome in ERROR_OUTCOMES:
            _status, _code, v2_code, message = ERROR_OUTCOMES[outcome]
            return self._v2_error(v2_code, message, params)

        trade_no = params["partner_trade_no"]
        fingerprint = (params["mch_appid"], params["openid"], amount, params.get("re_user_name", ""))
        existing = self.v2_transfers.get(trade_no)
        if existing is not None:
            if existing.fingerprint != fingerprint:
                return self._v2_error("PARAM_ERROR", "商户订单号重复，且与原单参数不一致", params)
            return self._v2_answer(existing)  # same number: same answer, never a second payment

        now = datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
        transfer = V2Transfer(
            partner_trade_no=trade_no,
            payment_no=self._next_number("10100"),
            appid=params["mch_appid"],
            openid=params["openid"],
            amount_fen=amount,
            desc=params["desc"],
            status="PROCESSING",
            reason="",
            err_code="",
            transfer_time=now,
            payment_time="",
            fingerprint=fingerprint,
        )
        if outcome == "FAIL":
            transfer.status, transfer.err_code = "FAILED", self.v2_fail_err_code
            transfer.reason = "无法给未实名用户付款"
            self.v2_transfers[trade_no] = transfer
            return self._v2_answer(transfer)
        if self.balance_fen < amount:
            return self._v2_error("NOTENOUGH", "余额不足", params)
        self.balance_fen -= amount
        self.v2_transfers[trade_no] = transfer
        if outcome in ("PROCESSING", "ACCEPTED", "TRANSFERING", "WAIT_USER_CONFIRM"):
            return self._v2_error("SYSTEMERROR", "系统繁忙，请稍后再试", params)
        self._v2_pay(transfer)
        if outcome == AFTER_ACCEPT_OUTCOME:
            return self._v2_error("SYSTEMERROR", "系统繁忙，请稍后再试", params)
        return self._v2_answer(transfer)

    def _v2_pay(self, transfer: V2Transfer) -> None:
        transfer.status = "SUCCESS"
        transfer.payment_time = datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
        self.wallets[transfer.openid] += transfer.amount_fen
        self.payments.append(Payment(transfer.partner_trade_no, transfer.openid, transfer.amount_fen, "v2"))

    def settle_v2(self, partner_trade_no: str, status: Literal["SUCCESS", "FAILED"]) -> V2Transfer:
        """Finish a v2 transfer left PROCESSING."""
        with self._lock:
            transfer = self.v2_transfers[partner_trade_no]
            if transfer.status != "PROCESSING":
                raise ValueError(f"v2 transfer {partner_trade_no!r} is {transfer.status}")
            if status == "SUCCESS":
                self._v2_pay(transfer)
            else:
                self.balance_fen += transfer.amount_fen
                transfer.status, transfer.err_code = "FAILED", self.v2_fail_err_code
                transfer.reason = "付款失败"
            return transfer

    def _v2_query(self, request: FakeRequest) -> FakeResponse:
        params = self._v2_params(request)
        if isinstance(params, FakeResponse):
            return params
        if params.get("mch_id") != self.merchant.mchid or params.get("appid") not in self.appids:
            return self._v2_error("PARAM_ERROR", "appid与mch_id不匹配", params)
        transfer = self.v2_transfers.get(params.get("partner_trade_no", ""))
        if transfer is None:
            return self._v2_error("NOT_FOUND", "指定单号数据不存在", params)
        return self._xml(
            {
                "return_code": "SUCCESS",
                "return_msg": "获取成功",
                "result_code": "SUCCESS",
                "mch_id": self.merchant.mchid,
                "appid": transfer.appid,
                "detail_id": transfer.payment_no,
                "partner_trade_no": transfer.partner_trade_no,
                "status": transfer.status,
                "reason": transfer.reason,
                "openid": transfer.openid,
                "payment_amount": str(transfer.amount_fen),
                "transfer_time": transfer.transfer_time,
                "payment_time": transfer.payment_time,
                "desc": transfer.desc,
            }
        )
