"""Signing in from a Mini Program: ``wx.login()``'s code -> ``jscode2session`` -> the identity (the Mini
Program's app id, the openid, the unionid when WeChat gives one) -> the host's customer and a token.

The customer is found as for the center's web sign-in (``center_sessions``): the identity's own, else the
signed-in caller, else the customer of another identity of the same person (same unionid: an Official
Account follower who signed in there), else a customer the host creates. Then every identity of the
person (same unionid) that no customer holds yet is linked too: their bindings (a QR scan on the Official
Account, a share link opened there) follow the person, and a valid binding of the customer's own stands
(``identities.identity_link_customer``).

The ``session_key`` is kept sealed (``MiniProgramSession``) for later decryption of what the Mini
Program sends (phone number...); it is never returned, never logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ...conf import CenterHostNotConfigured, get_customer_sessions, get_mini_program_gateway
from ...domain.errors import DistributionError
from ...domain.miniprogram import MiniProgramErrorCode as Code
from ...models import MiniProgramSession, WeChatIdentity
from ...ports import Principal, WeChatApiError
from ...ports_center import SessionToken
from ...sealing import seal
from ..identities import OPENID_MAX_LENGTH, identity_link_customer, identity_unionid_siblings_link
from .common import mini_failure, settings_required

CODE_MAX_LENGTH = 128


@dataclass(frozen=True)
class MiniSignIn:
    session: SessionToken
    identity: WeChatIdentity
    #: the customer existed before (found through the identity, the caller or the unionid)
    known_customer: bool


def _clean_code(code: str) -> str:
    code = (code or "").strip()
    if not code or len(code) > CODE_MAX_LENGTH or not code.isascii() or not code.isprintable():
        raise DistributionError(Code.INVALID, _("Invalid code."), field="code")
    return code


def _customer_of(identity: WeChatIdentity, principal: Principal) -> tuple[int | None, bool]:
    if identity.user_id is not None:
        if principal.is_authenticated and principal.user_id not in (None, identity.user_id):
            raise DistributionError(
                Code.IDENTITY_TAKEN, _("This WeChat account belongs to another customer."), field="code"
            )
        return identity.user_id, True
    if principal.is_authenticated and principal.user_id is not None:
        return principal.user_id, True
    if identity.unionid:
        sibling = (
            WeChatIdentity.objects.filter(unionid=identity.unionid, user_id__isnull=False)
            .exclude(pk=identity.pk)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        if sibling is not None:
            return sibling, True
    return None, False


def mini_program_sign_in(*, principal: Principal, channel: str, code: str) -> MiniSignIn:
    settings = settings_required(channel)
    code = _clean_code(code)
    try:
        sessions = get_customer_sessions()
    except CenterHostNotConfigured:
        raise DistributionError(
            Code.SIGN_IN_NOT_CONFIGURED, _("WeChat sign-in is not available on this shop.")
        ) from None
    try:
        answer = get_mini_program_gateway().code_to_session(settings, code=code)
    except WeChatApiError as error:
        raise mini_failure(error, field="code") from None
    if not answer.openid or len(answer.openid) > OPENID_MAX_LENGTH:
        raise DistributionError(Code.WECHAT_ERROR, _("WeChat returned no openid."), field="code")
    unionid = answer.unionid[:64]
    with transaction.atomic():
        WeChatIdentity.objects.get_or_create(app_id=settings.app_id, openid=answer.openid)
        identity = WeChatIdentity.objects.select_for_update().get(
            app_id=settings.app_id, openid=answer.openid
        )
        if unionid and identity.unionid != unionid:
            identity.unionid = unionid
            identity.save(update_fields=["unionid", "updated_at"])
        user_id, known = _customer_of(identity, principal)
        if user_id is None:
            user_id = sessions.customer_for_wechat(
                app_id=settings.app_id, openid=answer.openid, unionid=unionid, nickname=""
            )
        identity = identity_link_customer(
            app_id=settings.app_id, openid=answer.openid, user_id=user_id, unionid=unionid
        )
        identity_unionid_siblings_link(identity=identity)
        if answer.session_key:
            MiniProgramSession.objects.update_or_create(
                identity=identity, defaults={"session_key_sealed": seal(answer.session_key)}
            )
    return MiniSignIn(session=sessions.issue_token(user_id=user_id), identity=identity, known_customer=known)
