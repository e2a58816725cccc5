"""Shared plumbing for WeChat Pay APIv3 products (商家转账, 商家券): building wechatpayv3's client from a
merchant's settings and verifying / decrypting notifications."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from wechatpayv3 import WeChatPay, WeChatPayType

from ..ports import InvalidNotification

if TYPE_CHECKING:
    from .payouts_v3 import WeChatPayV3Settings

MAX_NOTIFICATION_BYTES = 64 * 1024
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
NOTIFICATION_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)


def build_client(
    settings: WeChatPayV3Settings, *, keep: list[tempfile.TemporaryDirectory[str]] | None = None
) -> WeChatPay:
    """wechatpayv3's client for the merchant, pointed at ``settings.api_base_url``. A temporary directory
    holding configured platform certificates is appended to ``keep`` (the caller owns its lifetime)."""
    client = WeChatPay(
        wechatpay_type=WeChatPayType.JSAPI,  # only matters for payments
        mchid=settings.mchid,
        private_key=settings.private_key,
        cert_serial_no=settings.cert_serial_no,
        appid=settings.appid,
        apiv3_key=settings.apiv3_key,
        notify_url=settings.notify_url or None,
        cert_dir=_platform_cert_dir(settings, keep),
        timeout=settings.timeout,
        public_key=settings.public_key or None,
        public_key_id=settings.public_key_id or None,
    )
    use_gateway(client, settings.api_base_url)
    return client


def _platform_cert_dir(
    settings: WeChatPayV3Settings, keep: list[tempfile.TemporaryDirectory[str]] | None
) -> str | None:
    """wechatpayv3 reads platform certificates from a directory only; write the configured ones there so
    that building the client never downloads them (a download would go to the default host, before
    ``api_base_url`` applies)."""
    if settings.mode == "public_key":
        return None
    if settings.platform_cert_dir:
        directory = Path(settings.platform_cert_dir)
        directory.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="wechatpay-platform-certs-")
        if keep is not None:
            keep.append(tmp)
        directory = Path(tmp.name)
    for pem in settings.platform_certificates:
        certificate = x509.load_pem_x509_certificate(pem.encode())
        path = directory / f"{certificate.serial_number:X}.pem"
        if not path.exists():
            path.write_text(pem, encoding="utf-8")
    return str(directory)


def use_gateway(client: WeChatPay, base_url: str) -> None:
    """Point the client at ``base_url``.

    wechatpayv3 2.x has no parameter for the host: ``Core.__init__`` sets ``_gate_way`` to
    ``https://api.mch.weixin.qq.com`` and every request (certificate downloads included) is
    ``_gate_way + path``, while the signature covers only the path. WeChat Pay documents a backup domain
    for failover, and tests use a local fake, so this is the one place touching the library's internals;
    if an upgrade renames the attribute it fails here, loudly, instead of silently calling production.
    """
    core = client._core
    if not isinstance(getattr(core, "_gate_way", None), str):
        raise RuntimeError("wechatpayv3 changed: Core._gate_way is gone; update use_gateway")
    core._gate_way = base_url.rstrip("/")


def verify_notification(
    client: WeChatPay,
    settings: WeChatPayV3Settings,
    *,
    headers: Mapping[str, str],
    body: bytes,
    clock: Callable[[], float],
) -> dict[str, Any]:
    """Check a WeChat Pay notification's signature and decrypt its resource (``data["resource"]``).

    ``headers`` may come as sent (``Wechatpay-Signature``), lower-cased, or as Django's ``request.META``.
    Refused (``InvalidNotification``): oversized bodies, missing headers, timestamps outside
    ``notification_max_age`` (replays), a serial that is not our platform key's, a signature that does not
    verify, a resource that does not decrypt under our APIv3 key.
    """
    if len(body) > MAX_NOTIFICATION_BYTES:
        raise InvalidNotification("notification body too large")
    wanted = notification_headers(headers)
    missing = [name for name in NOTIFICATION_HEADERS[:4] if not wanted.get(name)]
    if missing:
        raise InvalidNotification(f"missing headers: {', '.join(missing)}")
    wanted.setdefault("Wechatpay-Signature-Type", SIGNATURE_TYPE)
    try:
        timestamp = int(wanted["Wechatpay-Timestamp"])
    except ValueError:
        raise InvalidNotification("malformed Wechatpay-Timestamp") from None
    if abs(clock() - timestamp) > settings.notification_max_age:
        raise InvalidNotification("stale Wechatpay-Timestamp")
    serial = wanted["Wechatpay-Serial"]
    # Refuse unknown serials here: wechatpayv3 would otherwise go and download certificates for them,
    # an outbound call per forged request.
    if settings.mode == "public_key" and serial != settings.public_key_id:
        raise InvalidNotification("Wechatpay-Serial is not our WeChat Pay public key id")
    if settings.mode == "certificate" and not _is_hex(serial):
        raise InvalidNotification("Wechatpay-Serial is not a certificate serial number")
    try:
        data = client.callback(wanted, body)
    except Exception as exc:  # wechatpayv3 raises bare Exception (algorithm), json / unicode errors
        raise InvalidNotification(f"unreadable notification: {type(exc).__name__}") from None
    if not data:
        raise InvalidNotification("signature or resource did not verify")
    return data


def notification_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The Wechatpay-* headers under their canonical names, whatever the web framework made of them."""
    canonical = {name.upper().replace("-", "_"): name for name in NOTIFICATION_HEADERS}
    found: dict[str, str] = {}
    for name, value in headers.items():
        key = name.upper().replace("-", "_").removeprefix("HTTP_")
        if key in canonical:
            found[canonical[key]] = value
    return found


def _is_hex(value: str) -> bool:
    try:
        int(value, 16)
    except ValueError:
        return False
    return True
