"""Saleor's webhook signature: a JWS with a detached payload (RS256) in the ``Saleor-Signature`` header,
``<protected header>..<signature>``, made by Saleor's ``jwt_manager.jws_encode`` over the raw body, checked
here the way ``@saleor/app-sdk``'s ``verifySignatureWithJwks`` does: against the key the header names in
the instance's JWKS (``jwks.py``: refetched once for an unknown key id).
"""

from __future__ import annotations

import jwt
from jwt import api_jws

from ..models import SaleorAppInstallation
from .jwks import UnknownKey, signing_key

ALGORITHMS = ["RS256"]


class BadSignature(Exception):
    pass


def verify_webhook_signature(installation: SaleorAppInstallation, *, signature: str, body: bytes) -> None:
    """Return when ``signature`` is the instance's signature of ``body``; raise :class:`BadSignature`."""
    if not signature or signature.count(".") != 2:
        raise BadSignature("Missing or malformed Saleor-Signature.")
    try:
        header = api_jws.get_unverified_header(signature)
    except jwt.PyJWTError as error:
        raise BadSignature("Malformed Saleor-Signature header.") from error
    if header.get("alg") not in ALGORITHMS:
        raise BadSignature("Unsupported signature algorithm.")
    try:
        key = signing_key(installation, header.get("kid"))
        api_jws.decode_complete(signature, key=key, algorithms=ALGORITHMS, detached_payload=body)
    except UnknownKey as error:
        raise BadSignature(str(error)) from error
    except jwt.PyJWTError as error:
        raise BadSignature("Signature verification failed.") from error
