"""v3 商家转账 (user-confirmation mode, 2025) in the fake WeChat Pay: bills by ``out_bill_no``, the user's
side (``user_confirms``, ``user_never_confirms``), the notification WeChat Pay POSTs when a bill ends."""

from __future__ import annotations

import base64
import re
import secrets
from typing import TYPE_CHECKING, Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..fake_http import FakeRequest, FakeResponse, error_answer, json_answer
from .crypto import now_rfc3339
from .state import (
    AFTER_ACCEPT_OUTCOME,
    BILL_OUTCOMES,
    ERROR_OUTCOMES,
    MAX_REMARK_CHARS,
    MIN_TRANSFER_FEN,
    USER_NAME_ALLOWED_FROM_FEN,
    USER_NAME_REQUIRED_FROM_FEN,
    Payment,
    TransferBill,
)

if TYPE_CHECKING:
    pass

_OUT_BILL_NO = re.compile(r"[0-9A-Za-z]{1,32}")


class TransferBills:
    """Mixed into ``FakeWeChatPay`` (its state: ``bills``, ``balance_fen``, ``wallets``, ``payments``)."""

    def user_confirms(self, out_bill_no: str) -> TransferBill:
        """The user taps 确认收款 in WeChat: the bill goes through TRANSFERING to SUCCESS."""
        with self._lock:
            bill = self._bill_in(out_bill_no, "WAIT_USER_CONFIRM")
            self._pay(bill)
            return bill

    def user_never_confirms(self, out_bill_no: str) -> TransferBill:
        """24 hours pass without confirmation: WeChat cancels the bill and returns the money."""
        with self._lock:
            bill = self._bill_in(out_bill_no, "WAIT_USER_CONFIRM")
            self._close(bill, "CANCELLED")
            return bill

    def settle(
        self, out_bill_no: str, state: Literal["SUCCESS", "FAIL"], fail_reason: str = ""
    ) -> TransferBill:
        """Finish a bill left in ACCEPTED / PROCESSING / TRANSFERING."""
        with self._lock:
            bill = self._bill_in(out_bill_no, "ACCEPTED", "PROCESSING", "TRANSFERING")
            if state == "SUCCESS":
                self._pay(bill)
            else:
                self._close(bill, "FAIL", fail_reason or self.next_fail_reason)
            return bill

    def transfer_notification(
        self,
        out_bill_no: str,
        *,
        timestamp: int | None = None,
        apiv3_key: str | None = None,
        signing_key: rsa.RSAPrivateKey | None = None,
        mode: Literal["public_key", "certificate"] | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """The ``MCHTRANSFER.BILL.FINISHED`` notification WeChat Pay would POST for the bill, as
        ``(headers, body)``: resource encrypted with AES-256-GCM under the APIv3 key, body signed with the
        platform key. The keyword arguments build the broken variants tests need (stale timestamp, other
        APIv3 key, other signing key)."""
        with self._lock:
            bill = self.bills[out_bill_no]
            resource = {
                "out_bill_no": bill.out_bill_no,
                "transfer_bill_no": bill.transfer_bill_no,
                "state": bill.state,
                "mch_id": self.merchant.mchid,
                "transfer_amount": bill.amount_fen,
                "openid": bill.openid,
                "create_time": bill.create_time,
                "update_time": bill.update_time,
            }
            if bill.fail_reason:
                resource["fail_reason"] = bill.fail_reason
        return self.notification(
            event_type="MCHTRANSFER.BILL.FINISHED",
            summary="商家转账单据终态通知",
            resource=resource,
            associated_data="mch_payment",
            timestamp=timestamp,
            apiv3_key=apiv3_key,
            signing_key=signing_key,
            mode=mode,
        )

    # --- money ---------------------------------------------------------------------------------------
    def _bill_in(self, out_bill_no: str, *states: str) -> TransferBill:
        bill = self.bills.get(out_bill_no)
        if bill is None:
            raise KeyError(f"no bill {out_bill_no!r}")
        if bill.state not in states:
            raise ValueError(f"bill {out_bill_no!r} is {bill.state}, not one of {states}")
        return bill

    def _pay(self, bill: TransferBill) -> None:
        """Locked money reaches the user (it left the merchant's balance when the bill was created)."""
        self.wallets[bill.openid] += bill.amount_fen
        self.payments.append(Payment(bill.out_bill_no, bill.openid, bill.amount_fen, "v3"))
        bill.state = "SUCCESS"
        bill.package_info = ""
        bill.update_time = now_rfc3339()

    def _close(self, bill: TransferBill, state: str, fail_reason: str = "") -> None:
        """FAIL / CANCELLED after the money was locked: it goes back to the merchant."""
        self.balance_fen += bill.amount_fen
        bill.state = state
        bill.fail_reason = fail_reason
        bill.package_info = ""
        bill.update_time = now_rfc3339()

    def _install_v3_transfer_bills(self) -> None:
        base = "/v3/fund-app/mch-transfer/transfer-bills"
        self.add_route("POST", base, "transfer_bills.create", self._create_bill)
        self.add_route(
            "GET", base + r"/out-bill-no/(?P<out_bill_no>[^/]+)", "transfer_bills.query", self._query_bill
        )
        self.add_route(
            "GET",
            base + r"/transfer-bill-no/(?P<transfer_bill_no>[^/]+)",
            "transfer_bills.query_by_transfer_bill_no",
            self._query_bill,
        )
        self.add_route(
            "POST",
            base + r"/out-bill-no/(?P<out_bill_no>[^/]+)/cancel",
            "transfer_bills.cancel",
            self._cancel_bill,
        )

    def _decrypt_user_name(self, ciphertext: str) -> str:
        data = self._platform_key.decrypt(
            base64.b64decode(ciphertext),
            padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
        )
        return data.decode()

    def _create_bill(self, request: FakeRequest) -> FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return error_answer(400, "PARAM_ERROR", "请求体不是合法的JSON")
        required = (
            "appid",
            "out_bill_no",
            "transfer_scene_id",
            "openid",
            "transfer_amount",
            "transfer_remark",
        )
        for name in required:
            if body.get(name) in (None, ""):
                return error_answer(400, "PARAM_ERROR", f"缺少参数 {name}")
        amount = body["transfer_amount"]
        if not isinstance(amount, int) or isinstance(amount, bool):
            return error_answer(400, "PARAM_ERROR", "transfer_amount 必须为整数（分）")
        if body["appid"] not in self.appids:
            return error_answer(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        out_bill_no = str(body["out_bill_no"])
        if not _OUT_BILL_NO.fullmatch(out_bill_no):
            return error_answer(400, "PARAM_ERROR", "out_bill_no 只能由数字、大小写字母组成，最长32位")
        scene_id = str(body["transfer_scene_id"])
        if scene_id not in self.transfer_scenes:
            return error_answer(400, "INVALID_REQUEST", "转账场景未开通或已失效")
        reported = {info.get("info_type") for info in body.get("transfer_scene_report_infos") or []}
        missing = [t for t in self.transfer_scenes[scene_id] if t not in reported]
        if missing:
            return error_answer(400, "PARAM_ERROR", f"转账场景报备信息缺少 {'、'.join(missing)}")
        if len(str(body["transfer_remark"])) > MAX_REMARK_CHARS:
            return error_answer(400, "PARAM_ERROR", "转账备注最多32个字符")
        if amount < MIN_TRANSFER_FEN:
            return error_answer(400, "PARAM_ERROR", "转账金额不能低于0.1元")
        user_name = ""
        if body.get("user_name"):
            if amount < USER_NAME_ALLOWED_FROM_FEN:
                return error_answer(400, "PARAM_ERROR", "转账金额小于0.3元时不支持传入收款用户姓名")
            if request.headers.get("Wechatpay-Serial") is None:
                return error_answer(400, "PARAM_ERROR", "加密敏感信息时需在请求头中传入 Wechatpay-Serial")
            try:
                user_name = self._decrypt_user_name(str(body["user_name"]))
            except Exception:
                return error_answer(400, "PARAM_ERROR", "user_name 解密失败")
        elif amount >= USER_NAME_REQUIRED_FROM_FEN:
            return error_answer(400, "PARAM_ERROR", "转账金额>=2000元时，必须传入收款用户姓名")

        outcome = self._take_outcome()
        if outcome in ERROR_OUTCOMES:
            status, code, _v2_code, message = ERROR_OUTCOMES[outcome]
            return error_answer(status, code, message)

        fingerprint = (
            body["appid"],
            body["openid"],
            amount,
            scene_id,
            str(body["transfer_remark"]),
            user_name,
        )
        bill = self.bills.get(out_bill_no)
        if bill is not None:
            if bill.fingerprint != fingerprint:
                return error_answer(400, "INVALID_REQUEST", "单号已存在但信息不一致，请查单后比较确认")
            return json_answer(self._create_answer(bill))  # re-entry: the existing bill, never a second one

        state = outcome if outcome in BILL_OUTCOMES else "WAIT_USER_CONFIRM"
        if state != "FAIL" and self.balance_fen < amount:
            return error_answer(403, "NOT_ENOUGH", "资金不足，请充值后原单重试")
        now = now_rfc3339()
        bill = TransferBill(
            out_bill_no=out_bill_no,
            transfer_bill_no=self._next_number("1330000071100"),
            appid=body["appid"],
            openid=body["openid"],
            amount_fen=amount,
            remark=str(body["transfer_remark"]),
            scene_id=scene_id,
            user_name=user_name,
            state="ACCEPTED",
            create_time=now,
            update_time=now,
            notify_url=body.get("notify_url") or "",
            fingerprint=fingerprint,
        )
        self.bills[out_bill_no] = bill
        if state == "FAIL":
            bill.state, bill.fail_reason = "FAIL", self.next_fail_reason
        else:
            self.balance_fen -= amount  # locked until the bill finishes
            if state == "SUCCESS":
                self._pay(bill)
            else:
                bill.state = state
                if state == "WAIT_USER_CONFIRM":
                    bill.package_info = base64.b64encode(secrets.token_bytes(48)).decode()
        if outcome == AFTER_ACCEPT_OUTCOME:
            return error_answer(500, "SYSTEM_ERROR", "系统错误，请使用相同参数稍后重新调用")
        return json_answer(self._create_answer(bill))

    @staticmethod
    def _create_answer(bill: TransferBill) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "out_bill_no": bill.out_bill_no,
            "transfer_bill_no": bill.transfer_bill_no,
            "create_time": bill.create_time,
            "state": bill.state,
        }
        if bill.state == "WAIT_USER_CONFIRM":
            answer["package_info"] = bill.package_info
        if bill.fail_reason:
            answer["fail_reason"] = bill.fail_reason
        return answer

    def _find_bill(self, request: FakeRequest) -> TransferBill | None:
        if "out_bill_no" in request.params:
            return self.bills.get(request.params["out_bill_no"])
        wanted = request.params.get("transfer_bill_no")
        return next((b for b in self.bills.values() if b.transfer_bill_no == wanted), None)

    def _query_bill(self, request: FakeRequest) -> FakeResponse:
        bill = self._find_bill(request)
        if bill is None:
            return error_answer(404, "NOT_FOUND", "记录不存在")
        answer: dict[str, Any] = {
            "mch_id": self.merchant.mchid,
            "out_bill_no": bill.out_bill_no,
            "transfer_bill_no": bill.transfer_bill_no,
            "appid": bill.appid,
            "state": bill.state,
            "transfer_amount": bill.amount_fen,
            "transfer_remark": bill.remark,
            "openid": bill.openid,
            "create_time": bill.create_time,
            "update_time": bill.update_time,
        }
        if bill.fail_reason:
            answer["fail_reason"] = bill.fail_reason
        return json_answer(answer)

    def _cancel_bill(self, request: FakeRequest) -> FakeResponse:
        """Cancellable until the user confirms; answered with CANCELING, the bill is CANCELLED right after
        (WeChat returns the money asynchronously; the fake does it before the next request)."""
        bill = self._find_bill(request)
        if bill is None:
            return error_answer(404, "NOT_FOUND", "记录不存在")
        if bill.state in ("CANCELING", "CANCELLED"):
            answered = bill.state
        elif bill.state in ("ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM"):
            self._close(bill, "CANCELLED")
            answered = "CANCELING"
        else:
            return error_answer(400, "INVALID_REQUEST", f"当前转账单状态为{bill.state}，不支持撤销")
        return json_answer(
            {
                "out_bill_no": bill.out_bill_no,
                "transfer_bill_no": bill.transfer_bill_no,
                "state": answered,
                "update_time": bill.update_time,
            }
        )
