"""``ports_center.CustomerSessions`` over Saleor's users and JWTs (WeChat sign-in to the center).

A WeChat identity nobody is linked to becomes a Saleor customer account: e-mail
``wechat-<digest>@wechat.invalid`` (Saleor needs an e-mail; ``.invalid`` can never receive mail; the
digest is of the unionid when WeChat gave one, so the person's identities on the brand's other accounts
map to the same account, else of app id and openid), the WeChat nickname as first name, no usable
password (the person can set an e-mail and password later through Saleor's own account mutations), our
identity in private metadata. ``get_or_create`` on that e-mail makes concurrent first sign-ins one account.

The token is Saleor's own access JWT for the user (signature, ``jwt_token_key`` revocation and expiry
checked by Saleor's backends like any other), valid ``WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL`` seconds
(default 3600: the center signs in again silently after that). It never carries staff rights: the
payload says ``is_staff: false`` and an empty ``permissions`` list, which Saleor's token handling turns
into a user without effective permissions, so a staff member's WeChat never opens the dashboard's powers.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from saleor.account.models import User
from saleor.account.search import generate_user_search_vector_value
from saleor.core.db.connection import allow_writer
from saleor.core.jwt import JWT_ACCESS_TYPE, PERMISSIONS_FIELD, jwt_encode, jwt_user_payload
from saleor.core.postgres import FlatConcatSearchVector

from ..ports_center import SessionToken

EMAIL_DOMAIN = "wechat.invalid"
DEFAULT_TTL = 3600
METADATA_KEY = "wechat_distribution.identity"


def wechat_email(*, app_id: str, openid: str, unionid: str) -> str:
    key = f"u:{unionid}" if unionid else f"o:{app_id}:{openid}"
    return f"wechat-{hashlib.sha256(key.encode()).hexdigest()[:24]}@{EMAIL_DOMAIN}"


def token_ttl() -> int:
    return int(getattr(settings, "WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL", DEFAULT_TTL))


class SaleorCustomerSessions:
    def customer_for_wechat(self, *, app_id: str, openid: str, unionid: str, nickname: str) -> int:
        email = wechat_email(app_id=app_id, openid=openid, unionid=unionid)
        with allow_writer():
            user, created = User.objects.get_or_create(
                email=email,
                defaults={"first_name": (nickname or "")[:256], "is_active": True, "is_confirmed": True},
            )
            if created:
                user.set_unusable_password()
                user.private_metadata = {METADATA_KEY: f"{app_id}:{openid}"}
                user.search_vector = FlatConcatSearchVector(
                    *generate_user_search_vector_value(user, attach_addresses_data=False)
                )
                user.save(update_fields=["password", "private_metadata", "search_vector"])
        return user.pk

    def issue_token(self, *, user_id: int) -> SessionToken:
        with allow_writer():
            user = User.objects.get(pk=user_id)
        ttl = token_ttl()
        payload = jwt_user_payload(
            user,
            JWT_ACCESS_TYPE,
            timedelta(seconds=ttl),
            additional_payload={"is_staff": False, PERMISSIONS_FIELD: []},
        )
        return SessionToken(token=jwt_encode(payload), expires_in=ttl, user_id=user.pk)
