"""Signed HTTP for WeChat Pay's 商品券 (product coupon) API, in its two modes.

- Service-provider mode (``/v3/marketing/partner/product-coupon/...``) is ordinary APIv3: wechatpayv3's
  ``Core.request`` signs it (``WECHATPAY2-SHA256-RSA2048 mchid=...``), sends ``Wechatpay-Serial`` with the
  WeChat Pay public key id in public-key mode and verifies the answers. Nothing here is by hand.
- Brand mode (``/brand/marketing/product-coupon/...``) has an authorization scheme of its own,
  ``WECHATPAY-BRAND-SHA256-RSA2048 brand_id="…",nonce_str,signature,timestamp,serial_no`` (signed with the
  brand API certificate's key over the same ``method\\npath\\ntimestamp\\nnonce\\nbody\\n`` message), and
  requires ``Wechatpay-Serial`` = the WeChat Pay public key id bound to the brand. wechatpayv3 2.0.4 only
  builds the ``WECHATPAY2`` header with a ``mchid`` (``utils.build_authorization``) and refuses answers
  whose ``Wechatpay-Signature-Type`` is not ``WECHATPAY2-SHA256-RSA2048``, so the header line and the
  answer check are assembled here by hand — with wechatpayv3's own primitives for the cryptography
  (``rsa_sign``, ``rsa_verify``, ``aes_decrypt``, ``load_private_key``, ``load_public_key``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from wechatpayv3.type import RequestType
from wechatpayv3.utils import aes_decrypt, load_private_key, load_public_key, rsa_sign, rsa_verify

from ..ports import InvalidNotification
from .payouts_v3 import WeChatPayV3Settings
from .v3_client import MAX_NOTIFICATION_BYTES, build_client, notification_headers, verify_notification

BRAND_SIGNATURE_TYPE = "WECHATPAY-BRAND-SHA256-RSA2048"
V3_SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
BRAND_BASE = "/brand/marketing/product-coupon"
PARTNER_BASE = "/v3/marketing/partner/product-coupon"


class ProductCouponTransport:
    """``send(method, path, body)`` -> ``(status, text)``; raises like ``requests`` (network) or a bare
    ``Exception`` for an answer whose signature does not verify (as wechatpayv3 does)."""

    def __init__(self, settings: WeChatPayV3Settings, *, mode: str, brand_id: str, keep: list) -> None:
        if mode not in ("brand", "partner"):
            raise ValueError(f"product coupon mode must be 'brand' or 'partner', not {mode!r}")
        if mode == "brand" and not (settings.public_key and settings.public_key_id):
            raise ValueError("the brand API needs the WeChat Pay public key and its id (Wechatpay-Serial)")
        self.mode = mode
        self.brand_id = brand_id
        self.settings = settings
        self.base = BRAND_BASE if mode == "brand" else PARTNER_BASE
        self._base_url = settings.api_base_url.rstrip("/")
        if mode == "partner":
            self._client = build_client(settings, keep=keep)
        else:
            self._private_key = load_private_key(settings.private_key)
            self._public_key = load_public_key(settings.public_key)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        if self.mode == "partner":
            return self._client._core.request(path, method=RequestType[method], data=body)
        return self._brand_send(method, path, body)

    # --- brand mode ----------------------------------------------------------------------------------

    def _brand_send(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        text = json.dumps(body, ensure_ascii=False) if body is not None else ""
        headers = {
            "Authorization": self.brand_authorization(method, path, text),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Wechatpay-Serial": self.settings.public_key_id,
        }
        response = requests.request(
            method, self._base_url + path, data=text.encode() if text else None, headers=headers,
            timeout=self.settings.timeout,
        )  # fmt: skip
        if 200 <= response.status_code < 300 and not self._answer_verifies(response):
            raise Exception("failed to verify the signature")  # the same outcome wechatpayv3 gives
        return response.status_code, response.text

    def brand_authorization(self, method: str, path: str, body: str, *, timestamp: int | None = None) -> str:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16).upper()
        signature = rsa_sign(self._private_key, f"{method}\n{path}\n{ts}\n{nonce}\n{body}\n")
        return (
            f'{BRAND_SIGNATURE_TYPE} brand_id="{self.brand_id}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{ts}",serial_no="{self.settings.cert_serial_no}"'
        )

    def _answer_verifies(self, response: requests.Response) -> bool:
        h = response.headers
        if h.get("Wechatpay-Serial") != self.settings.public_key_id:
            return False
        if h.get("Wechatpay-Signature-Type", BRAND_SIGNATURE_TYPE) not in (
            BRAND_SIGNATURE_TYPE,
            V3_SIGNATURE_TYPE,
        ):
            return False
        return bool(
            rsa_verify(
                h.get("Wechatpay-Timestamp", ""), h.get("Wechatpay-Nonce", ""), response.text,
                h.get("Wechatpay-Signature", ""), self._public_key,
            )
        )  # fmt: skip

    # --- notifications -------------------------------------------------------------------------------

    def verify_notification(
        self, *, headers: Mapping[str, str], body: bytes, clock: Callable[[], float]
    ) -> dict[str, Any]:
        """A notification's signature checked and its resource decrypted (``data["resource"]``)."""
        if self.mode == "partner":
            return verify_notification(self._client, self.settings, headers=headers, body=body, clock=clock)
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise InvalidNotification("notification body too large")
        h = notification_headers(headers)
        if not all(h.get(n) for n in ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce")):
            raise InvalidNotification("missing Wechatpay-* headers")
        if h.get("Wechatpay-Serial") != self.settings.public_key_id:
            raise InvalidNotification("Wechatpay-Serial is not the brand's WeChat Pay public key id")
        if h.get("Wechatpay-Signature-Type", BRAND_SIGNATURE_TYPE) not in (
            BRAND_SIGNATURE_TYPE,
            V3_SIGNATURE_TYPE,
        ):
            raise InvalidNotification("unknown Wechatpay-Signature-Type")
        try:
            timestamp = int(h["Wechatpay-Timestamp"])
        except ValueError:
            raise InvalidNotification("malformed Wechatpay-Timestamp") from None
        if abs(clock() - timestamp) > self.settings.notification_max_age:
            raise InvalidNotification("stale Wechatpay-Timestamp")
        text = body.decode("utf-8", errors="replace")
        if not rsa_verify(
            str(timestamp), h["Wechatpay-Nonce"], text, h["Wechatpay-Signature"], self._public_key
        ):
            raise InvalidNotification("signature did not verify")
        try:
            data = json.loads(text)
            sealed = data["resource"]
            data["resource"] = json.loads(
                aes_decrypt(
                    nonce=sealed["nonce"], ciphertext=sealed["ciphertext"],
                    associated_data=sealed.get("associated_data") or "", apiv3_key=self.settings.apiv3_key,
                )
            )  # fmt: skip
        except Exception as exc:  # json, key errors, InvalidTag
            raise InvalidNotification(f"unreadable notification: {type(exc).__name__}") from None
        return data
