"""Secrets at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a key from Django settings.

``WECHAT_DISTRIBUTION_SECRET_KEY``: a Fernet key (32 url-safe base64 bytes), or any passphrase (it is
stretched with HKDF-SHA256). When absent, the key is derived from ``SECRET_KEY`` — rotating
``SECRET_KEY`` then makes the sealed secrets unreadable, so set a dedicated key in production.
Sealed values are never logged; the API only ever shows :func:`obfuscate`'s last four characters.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"saleor-wechat-distribution secrets v1"


class SealingError(Exception):
    """A sealed value could not be opened (wrong key, or corrupted)."""


def _fernet(key: str | None = None) -> Fernet:
    raw = key or getattr(settings, "WECHAT_DISTRIBUTION_SECRET_KEY", "") or settings.SECRET_KEY
    try:
        if len(base64.urlsafe_b64decode(raw.encode())) == 32:
            return Fernet(raw.encode())
    except (ValueError, binascii.Error):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(value: str) -> str:
    return "" if not value else _fernet().encrypt(value.encode()).decode()


def unseal(sealed: str, *, key: str | None = None) -> str:
    """``sealed`` opened with the settings' key, or with ``key`` (a settings module checking its own values
    before Django's settings exist: App mode's start-up)."""
    if not sealed:
        return ""
    try:
        return _fernet(key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SealingError("a sealed secret could not be opened (was the key changed?)") from None


def obfuscate(value: str) -> str:
    """Like Saleor's secret fields: only the last four characters, the rest as asterisks."""
    if not value:
        return ""
    return "*" * 8 + value[-4:] if len(value) > 4 else "*" * 8
