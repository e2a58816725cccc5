"""Keys, signatures and encryption of the fake WeChat Pay: written from WeChat Pay's published rules, never
with the libraries under test."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

CST = timezone(timedelta(hours=8))


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


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def aes_gcm_encrypt(apiv3_key: str, plaintext: str, associated_data: str) -> tuple[str, str]:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat's
    data = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plaintext.encode(), associated_data.encode())
    return nonce, base64.b64encode(data).decode()


def v2_sign(params: dict[str, str], api_key: str) -> str:
    """v2 MD5 signature: sorted non-empty ``k=v`` joined by ``&``, then ``&key=<api key>``, upper hex."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k] and k != "sign")
    return hashlib.md5(f"{text}&key={api_key}".encode()).hexdigest().upper()  # noqa: S324 (v2 protocol)


def now_rfc3339() -> str:
    return datetime.now(CST).isoformat(timespec="seconds")
