"""A fake WeChat Pay for tests: one in-process "world" served over real HTTP on 127.0.0.1.

The gateways under test use the libraries' real clients (wechatpayv3, wechatpy) pointed at this server, so
request signing, answer verification, AES-GCM and XML/MD5 all run for real. The world is written against
WeChat Pay's published behaviour, independently of the libraries (it never imports them), so a library or
gateway bug shows up as a failed test instead of being mirrored.

What it keeps, like the real merchant account would: transfer bills by ``out_bill_no`` (v3 商家转账) and
by ``partner_trade_no`` (v2 企业付款), the merchant's balance, the money each user received, and a
count of calls per endpoint. Tests script what happens next (``next_transfer_outcome``), drive the user's
side (``user_confirms``, ``user_never_confirms``) and build signed, encrypted notifications
(``transfer_notification``).

Routes live in a dispatch table, so other products (商家券 ``/v3/marketing/busifavor/*``) are added next
to the transfer ones without touching the server plumbing: v3 routes get the request signature checked
(401 SIGN_ERROR otherwise) and their answers signed with the platform key; a handler only sees a
``FakeRequest`` and returns a ``FakeResponse``::

    world.add_route("POST", r"/v3/marketing/busifavor/stocks", "busifavor.stocks.create", handler)

Typical use::

    with FakeWeChatPay() as world:                       # 127.0.0.1, random port, daemon thread
        gateway = WeChatPayV3Payouts(WeChatPayV3Settings(..., api_base_url=world.base_url))
        result = gateway.transfer(out_bill_no="W1", ...)  # WAIT_USER_CONFIRM + package_info
        world.user_confirms("W1")
        headers, body = world.transfer_notification("W1")
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.message import Message
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from defusedxml import ElementTree

__all__ = [
    "BILL_OUTCOMES",
    "ERROR_OUTCOMES",
    "FakeMerchant",
    "FakePlatform",
    "FakeRequest",
    "FakeResponse",
    "FakeWeChatPay",
    "Payment",
    "TransferBill",
    "V2Transfer",
    "rsa_test_key",
    "self_signed_certificate",
]

_CST = timezone(timedelta(hours=8))
_MAX_BODY = 1 << 20
_SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')
_OUT_BILL_NO = re.compile(r"[0-9A-Za-z]{1,32}")

#: v3 商家转账 rules (pay.weixin.qq.com, 商家转账 > 发起转账)
MIN_TRANSFER_FEN = 10  # 0.1 CNY
USER_NAME_REQUIRED_FROM_FEN = 200_000  # 2,000 CNY: user_name (encrypted) becomes mandatory
USER_NAME_ALLOWED_FROM_FEN = 30  # 0.3 CNY: below that user_name must not be sent
MAX_REMARK_CHARS = 32
#: v2 企业付款到零钱 minimum
V2_MIN_TRANSFER_FEN = 30

#: transfer scenes the fake merchant has opened, with the report info types WeChat requires for each
DEFAULT_SCENES: dict[str, tuple[str, ...]] = {
    "1000": ("活动名称", "奖励说明"),  # 现金营销
    "1005": ("岗位类型", "报酬说明"),  # 佣金报酬
}

#: what ``next_transfer_outcome`` may say: a state the new bill takes...
BILL_OUTCOMES = frozenset({"WAIT_USER_CONFIRM", "ACCEPTED", "PROCESSING", "TRANSFERING", "SUCCESS", "FAIL"})
#: ...or an error answer (HTTP status, v3 code, v2 err_code, message); no bill is created
ERROR_OUTCOMES: dict[str, tuple[int, str, str, str]] = {
    "NOT_ENOUGH": (403, "NOT_ENOUGH", "NOTENOUGH", "资金不足"),
    "SYSTEM_ERROR": (500, "SYSTEM_ERROR", "SYSTEMERROR", "系统错误，请使用相同参数稍后重新调用"),
    "FREQUENCY_LIMITED": (429, "FREQUENCY_LIMITED", "FREQ_LIMIT", "频率超限，请降低频率后原单重试"),
    "PARAM_ERROR": (400, "PARAM_ERROR", "PARAM_ERROR", "参数错误"),
    "NO_AUTH": (403, "NO_AUTH", "NO_AUTH", "商户无权限"),
}
#: WeChat processed the request (bill created, money locked) but the answer was a 500: the caller must
#: retry with the same out_bill_no and get the existing bill back, never a second one
AFTER_ACCEPT_OUTCOME = "SYSTEM_ERROR_AFTER_ACCEPT"
_ALL_OUTCOMES = BILL_OUTCOMES | ERROR_OUTCOMES.keys() | {AFTER_ACCEPT_OUTCOME}


# --- keys ----------------------------------------------------------------------------------------------


@cache
def rsa_test_key(name: str) -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key per name, generated once per process (key generation is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def self_signed_certificate(name: str) -> x509.Certificate:
    """A platform certificate (as WeChat Pay's ``/v3/certificates`` serves) for ``rsa_test_key(name)``."""
    key = rsa_test_key(name)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Tenpay.com Root CA test {name}")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _aes_gcm_encrypt(apiv3_key: str, plaintext: str, associated_data: str) -> tuple[str, str]:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat's
    data = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plaintext.encode(), associated_data.encode())
    return nonce, base64.b64encode(data).decode()


def _v2_sign(params: dict[str, str], api_key: str) -> str:
    """v2 MD5 signature: sorted non-empty ``k=v`` joined by ``&``, then ``&key=<api key>``, upper hex."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k] and k != "sign")
    return hashlib.md5(f"{text}&key={api_key}".encode()).hexdigest().upper()  # noqa: S324 (v2 protocol)


def _now_rfc3339() -> str:
    return datetime.now(_CST).isoformat(timespec="seconds")


# --- world state ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeMerchant:
    """The merchant's credentials, as its settings form would hold them."""

    mchid: str
    appid: str
    private_key_pem: str
    cert_serial_no: str
    apiv3_key: str
    api_key_v2: str


@dataclass(frozen=True)
class FakePlatform:
    """WeChat Pay's side: the public key (new merchants) and the platform certificate (older ones)."""

    public_key_pem: str
    public_key_id: str
    certificate_pem: str
    certificate_serial_no: str


@dataclass
class TransferBill:
    """A v3 商家转账 bill as WeChat Pay keeps it."""

    out_bill_no: str
    transfer_bill_no: str
    appid: str
    openid: str
    amount_fen: int
    remark: str
    scene_id: str
    user_name: str
    state: str
    create_time: str
    update_time: str
    package_info: str = ""
    fail_reason: str = ""
    notify_url: str = ""
    #: the fields whose change makes a re-sent out_bill_no a conflict instead of a re-entry
    fingerprint: tuple[Any, ...] = ()


@dataclass
class V2Transfer:
    """A v2 企业付款 as WeChat Pay keeps it (query status SUCCESS / FAILED / PROCESSING)."""

    partner_trade_no: str
    payment_no: str
    appid: str
    openid: str
    amount_fen: int
    desc: str
    status: str
    reason: str
    err_code: str
    transfer_time: str
    payment_time: str
    fingerprint: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Payment:
    """Money that reached a user's wallet (``api`` is "v3" or "v2")."""

    bill_no: str
    openid: str
    amount_fen: int
    api: str


@dataclass
class FakeRequest:
    method: str
    path: str
    #: path plus query string, exactly as the client signed it
    target: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    #: when it arrived (time.monotonic()), to check retry spacing
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class FakeResponse:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[FakeRequest], FakeResponse]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler
    #: "v3": Authorization verified on the way in, Wechatpay-* signature added on the way out
    api: Literal["v3", "v2", "plain"]


def json_answer(payload: dict[str, Any], status: int = 200) -> FakeResponse:
    return FakeResponse(status, json.dumps(payload, ensure_ascii=False).encode())


def error_answer(status: int, code: str, message: str) -> FakeResponse:
    return json_answer({"code": code, "message": message}, status)


class _V3Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.answer = error_answer(status, code, message)


class FakeWeChatPay:
    """The fake WeChat Pay world. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(
        self,
        *,
        mchid: str = "1900000109",
        appids: tuple[str, ...] = ("wxd678efh567hg6787", "wx8888888888888888"),
        balance_fen: int = 10_000_000,
        signing_mode: Literal["public_key", "certificate"] = "public_key",
    ) -> None:
        merchant_key = rsa_test_key("merchant")
        platform_key = rsa_test_key("platform")
        certificate = self_signed_certificate("platform")
        self.merchant = FakeMerchant(
            mchid=mchid,
            appid=appids[0],
            private_key_pem=_private_pem(merchant_key),
            cert_serial_no="444F4864EA9B34415D7C1E4B2E3A5F6C7D8E9F00",
            apiv3_key=secrets.token_hex(16),
            api_key_v2=secrets.token_hex(16),
        )
        self.platform = FakePlatform(
            public_key_pem=_public_pem(platform_key),
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
        #: requests that reached a route, refused or not, by route name ("transfer_bills.create", ...)
        self.calls: Counter[str] = Counter()
        #: requests refused before reaching a handler, by code ("SIGN_ERROR", "NO_ROUTE", ...)
        self.refused: Counter[str] = Counter()
        self.requests: list[FakeRequest] = []
        #: exceptions raised by handlers (answered with a 500): a bug in the fake
        self.errors: list[Exception] = []
        #: the reason a FAIL outcome gives (v3 fail_reason / v2 err_code)
        self.next_fail_reason = "ACCOUNT_FROZEN"
        self.v2_fail_err_code = "V2_ACCOUNT_SIMPLE_BAN"
        self._next_outcome: str | None = None
        self._sequence = 0
        self._lock = threading.RLock()
        self.routes: list[Route] = []
        self._install_v3_certificates()
        self._install_v3_transfer_bills()
        self._install_v2_transfers()
        from .fake_busifavor import FakeBusifavor

        #: 商家券 (/v3/marketing/busifavor/*): stocks, uploaded codes, users' coupons
        self.busifavor = FakeBusifavor(self)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------------

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

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        server.daemon_threads = True
        server.world = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-wechatpay", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the fake WeChat Pay is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- dispatch table ------------------------------------------------------------------------------

    def add_route(
        self,
        method: str,
        pattern: str,
        name: str,
        handler: Handler,
        *,
        api: Literal["v3", "v2", "plain"] = "v3",
    ) -> None:
        """Serve ``method pattern`` (a regex over the path; named groups become ``request.params``)."""
        self.routes.append(Route(method.upper(), re.compile(pattern), name, handler, api))

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None or route.method != request.method:
                continue
            request.params = match.groupdict()
            with self._lock:
                self.calls[route.name] += 1
                self.requests.append(request)
                if route.api != "v3":
                    return self._run(route, request)
                try:
                    mode = self._verify_v3_request(request)
                except _V3Refusal as refusal:
                    self.refused[refusal.code] += 1
                    return self._sign_v3(refusal.answer, self.signing_mode)
                return self._sign_v3(self._run(route, request), mode)
        with self._lock:
            self.refused["NO_ROUTE"] += 1
        if request.path.startswith("/v3/"):
            return self._sign_v3(error_answer(404, "NOT_FOUND", "no such API"), self.signing_mode)
        return FakeResponse(404, b"not found", "text/plain; charset=utf-8")

    def _run(self, route: Route, request: FakeRequest) -> FakeResponse:
        """A bug in a handler becomes a 500 plus an entry in ``errors`` (tests can assert it is empty)
        instead of a dropped connection that would read as a network failure."""
        try:
            return route.handler(request)
        except Exception as exc:
            self.errors.append(exc)
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
        signature = _rsa_sign(key or self._platform_key, f"{ts}\n{nonce}\n{body.decode()}\n")
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self._serial(mode or self.signing_mode),
            "Wechatpay-Signature-Type": _SIGNATURE_TYPE,
        }

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
        if outcome is not None and outcome not in _ALL_OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {sorted(_ALL_OUTCOMES)}")
        self._next_outcome = outcome

    def _take_outcome(self) -> str | None:
        outcome, self._next_outcome = self._next_outcome, None
        return outcome

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

    def paid_fen(self, openid: str) -> int:
        return self.wallets[openid]

    def payments_for(self, bill_no: str) -> list[Payment]:
        return [p for p in self.payments if p.bill_no == bill_no]

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
        key = apiv3_key or self.merchant.apiv3_key
        nonce, ciphertext = _aes_gcm_encrypt(key, json.dumps(resource, ensure_ascii=False), "mch_payment")
        body = json.dumps(
            {
                "id": f"EV-{secrets.token_hex(10)}",
                "create_time": _now_rfc3339(),
                "resource_type": "encrypt-resource",
                "event_type": "MCHTRANSFER.BILL.FINISHED",
                "summary": "商家转账单据终态通知",
                "resource": {
                    "original_type": "mch_payment",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": ciphertext,
                    "associated_data": "mch_payment",
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
        ).encode()
        return self.signed_headers(body, timestamp=timestamp, mode=mode, key=signing_key), body

    # --- money ---------------------------------------------------------------------------------------

    def _next_number(self, prefix: str) -> str:
        self._sequence += 1
        return f"{prefix}{datetime.now(_CST):%Y%m%d}{self._sequence:020d}"

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
        bill.update_time = _now_rfc3339()

    def _close(self, bill: TransferBill, state: str, fail_reason: str = "") -> None:
        """FAIL / CANCELLED after the money was locked: it goes back to the merchant."""
        self.balance_fen += bill.amount_fen
        bill.state = state
        bill.fail_reason = fail_reason
        bill.package_info = ""
        bill.update_time = _now_rfc3339()

    # --- /v3/certificates ----------------------------------------------------------------------------

    def _install_v3_certificates(self) -> None:
        self.add_route("GET", r"/v3/certificates", "certificates", self._certificates)

    def _certificates(self, request: FakeRequest) -> FakeResponse:
        nonce, ciphertext = _aes_gcm_encrypt(
            self.merchant.apiv3_key, self.platform.certificate_pem, "certificate"
        )
        cert = self._certificate
        return json_answer(
            {
                "data": [
                    {
                        "serial_no": self.platform.certificate_serial_no,
                        "effective_time": cert.not_valid_before_utc.astimezone(_CST).isoformat(),
                        "expire_time": cert.not_valid_after_utc.astimezone(_CST).isoformat(),
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

    # --- v3 商家转账 (user-confirmation mode, 2025) ------------------------------------------------

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
        now = _now_rfc3339()
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

    # --- v2 企业付款到零钱 (XML, MD5) ----------------------------------------------------------------

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
        if params.get("sign") != _v2_sign(params, self.merchant.api_key_v2):
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

        now = datetime.now(_CST).strftime("%Y-%m-%d %H:%M:%S")
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
        transfer.payment_time = datetime.now(_CST).strftime("%Y-%m-%d %H:%M:%S")
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


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "FakeWeChatPay/1.0"

    def _handle(self) -> None:
        world: FakeWeChatPay = self.server.world  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            target=self.path,
            query=parse_qs(parts.query),
            headers=self.headers,
            body=body,
        )
        response = world._dispatch(request)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass
