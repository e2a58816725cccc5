"""The fake WeChat Pay world: merchant, platform keys, v3 signatures, test controls; its products are
mixed in (``transfer_bills``, ``v2_transfers``) or attached (``busifavor``)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections import Counter
from datetime import datetime
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..fake_http import FakeHttpWorld, FakeRequest, FakeResponse, Route, error_answer, json_answer
from .busifavor import FakeBusifavor
from .crypto import (
    CST,
    aes_gcm_encrypt,
    now_rfc3339,
    private_pem,
    public_pem,
    rsa_sign,
    rsa_test_key,
    self_signed_certificate,
)
from .product_coupons import FakeProductCoupons
from .state import (
    ALL_OUTCOMES,
    DEFAULT_SCENES,
    FakeMerchant,
    FakePlatform,
    Payment,
    TransferBill,
    V2Transfer,
)
from .transfer_bills import TransferBills
from .v2_transfers import V2Transfers

_SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')


class _V3Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.answer = error_answer(status, code, message)


class FakeWeChatPay(FakeHttpWorld, TransferBills, V2Transfers):
    """The fake WeChat Pay world. Use as a context manager, or ``start()`` / ``stop()``."""

    thread_name = "fake-wechatpay"
    display_name = "fake WeChat Pay"
    server_version = "FakeWeChatPay/1.0"
    #: routes are v3 unless told: request signature checked, answer signed
    default_api = "v3"

    def __init__(
        self,
        *,
        mchid: str = "1900000109",
        appids: tuple[str, ...] = ("wxd678efh567hg6787", "wx8888888888888888"),
        balance_fen: int = 10_000_000,
        signing_mode: Literal["public_key", "certificate"] = "public_key",
    ) -> None:
        super().__init__()
        merchant_key = rsa_test_key("merchant")
        platform_key = rsa_test_key("platform")
        certificate = self_signed_certificate("platform")
        self.merchant = FakeMerchant(
            mchid=mchid,
            appid=appids[0],
            private_key_pem=private_pem(merchant_key),
            cert_serial_no="444F4864EA9B34415D7C1E4B2E3A5F6C7D8E9F00",
            apiv3_key=secrets.token_hex(16),
            api_key_v2=secrets.token_hex(16),
        )
        self.platform = FakePlatform(
            public_key_pem=public_pem(platform_key),
            public_key_id="PUB_KEY_ID_0119000000012025010100000000000001",
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
            certificate_serial_no=f"{certificate.serial_number:X}",
        )
        self._merchant_public_key = merchant_key.public_key()
        self._platform_key = platform_key
        self._certificate = certificate
        self.appids = frozenset(appids)
        #: which serial the answers carry when the request does not say (Wechatpay-Serial)
        self.signing_mode = signing_mode
        self.transfer_scenes = dict(DEFAULT_SCENES)
        self.balance_fen = balance_fen
        self.wallets: Counter[str] = Counter()
        self.payments: list[Payment] = []
        self.bills: dict[str, TransferBill] = {}
        self.v2_transfers: dict[str, V2Transfer] = {}
        #: requests refused before reaching a handler, by code ("SIGN_ERROR", "NO_ROUTE", ...)
        self.refused: Counter[str] = Counter()
        self.requests: list[FakeRequest] = []
        #: the reason a FAIL outcome gives (v3 fail_reason / v2 err_code)
        self.next_fail_reason = "ACCOUNT_FROZEN"
        self.v2_fail_err_code = "V2_ACCOUNT_SIMPLE_BAN"
        self._next_outcome: str | None = None
        self._sequence = 0
        self._install_v3_certificates()
        self._install_v3_transfer_bills()
        self._install_v2_transfers()
        #: 商家券 (/v3/marketing/busifavor/*): stocks, uploaded codes, users' coupons
        self.busifavor = FakeBusifavor(self)
        #: 商品券 (/brand/marketing/product-coupon/*, /v3/marketing/partner/product-coupon/*)
        self.product_coupons = FakeProductCoupons(self)

    def v3_settings(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments of ``WeChatPayV3Settings`` for a merchant of this world (JSON-safe)."""
        values: dict[str, Any] = {
            "mchid": self.merchant.mchid,
            "appid": self.merchant.appid,
            "private_key": self.merchant.private_key_pem,
            "cert_serial_no": self.merchant.cert_serial_no,
            "apiv3_key": self.merchant.apiv3_key,
            "api_base_url": self.base_url,
        }
        if self.signing_mode == "public_key":
            values |= {
                "public_key": self.platform.public_key_pem,
                "public_key_id": self.platform.public_key_id,
            }
        else:
            values |= {"platform_certificates": [self.platform.certificate_pem]}
        return values | overrides

    # --- dispatch table: v3 routes verified and signed ------------------------------------------------

    def answer(self, route: Route, request: FakeRequest) -> FakeResponse:
        """v3 routes get the request signature checked (401 SIGN_ERROR otherwise) and their answers
        signed with the platform key."""
        self.requests.append(request)
        if route.api != "v3":
            return self.run(route, request)
        try:
            mode = self._verify_v3_request(request)
        except _V3Refusal as refusal:
            self.refused[refusal.code] += 1
            return self._sign_v3(refusal.answer, self.signing_mode)
        return self._sign_v3(self.run(route, request), mode)

    def no_route(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.refused["NO_ROUTE"] += 1
        if request.path.startswith("/v3/"):
            return self._sign_v3(error_answer(404, "NOT_FOUND", "no such API"), self.signing_mode)
        return FakeResponse(404, b"not found", "text/plain; charset=utf-8")

    def handler_failed(self, exc: Exception) -> FakeResponse:
        return error_answer(500, "FAKE_INTERNAL_ERROR", f"{type(exc).__name__}: {exc}")

    # --- v3 signatures -------------------------------------------------------------------------------

    def _verify_v3_request(self, request: FakeRequest) -> Literal["public_key", "certificate"]:
        """Check ``Authorization: WECHATPAY2-SHA256-RSA2048 ...``; return which key signs the answer."""
        scheme, _, rest = (request.headers.get("Authorization") or "").partition(" ")
        if scheme != _SIGNATURE_TYPE:
            raise _V3Refusal(401, "SIGN_ERROR", "Authorization 缺失或认证类型错误")
        fields = dict(_AUTH_FIELD.findall(rest))
        if fields.get("mchid") != self.merchant.mchid:
            raise _V3Refusal(401, "SIGN_ERROR", "商户号不匹配")
        if fields.get("serial_no", "").upper() != self.merchant.cert_serial_no:
            raise _V3Refusal(401, "SIGN_ERROR", "商户证书序列号有误")
        try:
            timestamp = int(fields.get("timestamp", ""))
        except ValueError:
            raise _V3Refusal(401, "SIGN_ERROR", "时间戳格式错误") from None
        if abs(time.time() - timestamp) > 300:
            raise _V3Refusal(401, "SIGN_ERROR", "请求已过期")
        message = f"{request.method}\n{request.target}\n{timestamp}\n{fields.get('nonce_str', '')}\n"
        message += request.body.decode("utf-8", errors="replace") + "\n"
        try:
            self._merchant_public_key.verify(
                base64.b64decode(fields.get("signature", "")),
                message.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            raise _V3Refusal(401, "SIGN_ERROR", "签名错误") from None
        serial = request.headers.get("Wechatpay-Serial")
        if serial is None:
            return self.signing_mode
        if serial == self.platform.public_key_id:
            return "public_key"
        if serial.upper() == self.platform.certificate_serial_no:
            return "certificate"
        raise _V3Refusal(400, "PARAM_ERROR", "Wechatpay-Serial 无效")

    def _serial(self, mode: str) -> str:
        return self.platform.public_key_id if mode == "public_key" else self.platform.certificate_serial_no

    def signed_headers(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        mode: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> dict[str, str]:
        """The ``Wechatpay-*`` headers WeChat Pay puts on its answers and notifications."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signature = rsa_sign(key or self._platform_key, f"{ts}\n{nonce}\n{body.decode()}\n")
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self._serial(mode or self.signing_mode),
            "Wechatpay-Signature-Type": _SIGNATURE_TYPE,
        }

    def notification(
        self,
        *,
        event_type: str,
        summary: str,
        resource: dict[str, Any],
        associated_data: str,
        timestamp: int | None = None,
        apiv3_key: str | None = None,
        signing_key: rsa.RSAPrivateKey | None = None,
        mode: Literal["public_key", "certificate"] | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """A notification WeChat Pay would POST, as ``(headers, body)``: ``resource`` encrypted with
        AES-256-GCM under the APIv3 key (``associated_data`` is also its original type), the body signed
        with the platform key. The keyword arguments build the broken variants tests need (stale
        timestamp, other APIv3 key, other signing key)."""
        key = apiv3_key or self.merchant.apiv3_key
        nonce, ciphertext = aes_gcm_encrypt(key, json.dumps(resource, ensure_ascii=False), associated_data)
        body = json.dumps(
            {
                "id": f"EV-{secrets.token_hex(10)}",
                "create_time": now_rfc3339(),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": summary,
                "resource": {
                    "original_type": associated_data,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": ciphertext,
                    "associated_data": associated_data,
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
        ).encode()
        return self.signed_headers(body, timestamp=timestamp, mode=mode, key=signing_key), body

    def _sign_v3(self, response: FakeResponse, mode: str) -> FakeResponse:
        response.headers.update(self.signed_headers(response.body, mode=mode))
        response.headers["Request-ID"] = secrets.token_hex(16)
        return response

    # --- test controls -------------------------------------------------------------------------------

    @property
    def next_transfer_outcome(self) -> str | None:
        """What the next transfer request (v3 or v2) runs into; consumed by that request.

        A bill state in ``BILL_OUTCOMES``, an error in ``ERROR_OUTCOMES`` (no bill is created), or
        ``SYSTEM_ERROR_AFTER_ACCEPT`` (bill created, answer lost). Without one, v3 bills wait for the user
        (``WAIT_USER_CONFIRM``) and v2 transfers pay at once; for v2, FAIL records a failed transfer and the
        in-between states (ACCEPTED, PROCESSING, ...) leave it PROCESSING behind a SYSTEMERROR answer.
        A bill state is ignored when the request re-sends an existing number (the existing bill answers).
        """
        return self._next_outcome

    @next_transfer_outcome.setter
    def next_transfer_outcome(self, outcome: str | None) -> None:
        if outcome is not None and outcome not in ALL_OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {sorted(ALL_OUTCOMES)}")
        self._next_outcome = outcome

    def _take_outcome(self) -> str | None:
        outcome, self._next_outcome = self._next_outcome, None
        return outcome

    def paid_fen(self, openid: str) -> int:
        return self.wallets[openid]

    def payments_for(self, bill_no: str) -> list[Payment]:
        return [p for p in self.payments if p.bill_no == bill_no]

    # --- money ---------------------------------------------------------------------------------------

    def _next_number(self, prefix: str) -> str:
        self._sequence += 1
        return f"{prefix}{datetime.now(CST):%Y%m%d}{self._sequence:020d}"

    # --- /v3/certificates ----------------------------------------------------------------------------

    def _install_v3_certificates(self) -> None:
        self.add_route("GET", r"/v3/certificates", "certificates", self._certificates)

    def _certificates(self, request: FakeRequest) -> FakeResponse:
        nonce, ciphertext = aes_gcm_encrypt(
            self.merchant.apiv3_key, self.platform.certificate_pem, "certificate"
        )
        cert = self._certificate
        return json_answer(
            {
                "data": [
                    {
                        "serial_no": self.platform.certificate_serial_no,
                        "effective_time": cert.not_valid_before_utc.astimezone(CST).isoformat(),
                        "expire_time": cert.not_valid_after_utc.astimezone(CST).isoformat(),
                        "encrypt_certificate": {
                            "algorithm": "AEAD_AES_256_GCM",
                            "nonce": nonce,
                            "associated_data": "certificate",
                            "ciphertext": ciphertext,
                        },
                    }
                ]
            }
        )
