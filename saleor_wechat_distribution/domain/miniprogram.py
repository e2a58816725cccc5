"""Mini Programs (小程序) beside Official Accounts: error codes, the rules of a 小程序码 scene, what WeChat's
documented errcodes mean to us, and the answers of ``wx.requestSubscribeMessage``.

Pure Python (no Django): the services and the GraphQL layer build on it.
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum
from urllib.parse import unquote

from .i18n import gettext_noop as _

#: ``wxacode.getUnlimited``: the scene is at most 32 visible characters of this set
SCENE_MAX_LENGTH = 32
SCENE_RE = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")
#: our scenes: ``s=`` and 12 characters of the referral alphabet (31**12, unguessable, <= 32 in all)
SCENE_PREFIX = "s="
SCENE_TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet
SCENE_TOKEN_LENGTH = 12
#: a Mini Program page path: ``pages/index/index`` (no leading slash, no query: the scene carries data)
PAGE_RE = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$")
PAGE_MAX_LENGTH = 128
ENV_VERSIONS = ("release", "trial", "develop")
#: the notification kinds a subscribe message (订阅消息) may carry; the same three as template messages
SUBSCRIBE_KINDS = ("commission_new", "commission_available", "withdrawal_paid")


class MiniProgramErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    #: no Mini Program is configured for the channel
    NOT_CONFIGURED = "not_configured"
    #: 40029 / 40163: the wx.login code is invalid, expired or used
    CODE_INVALID = "code_invalid"
    #: 40226: WeChat flags the user as risky (高风险等级用户); login refused
    RISKY_USER = "risky_user"
    #: 45009 / 45011: WeChat's rate limit; try again later
    RATE_LIMITED = "rate_limited"
    #: 41030: the page of a 小程序码 is not published (or check_path found it missing)
    PAGE_NOT_PUBLISHED = "page_not_published"
    #: the scene names no code we made (or its distributor is no longer active)
    SCENE_UNKNOWN = "scene_unknown"
    #: another errcode (in the message)
    WECHAT_ERROR = "wechat_error"
    WECHAT_UNAVAILABLE = "wechat_unavailable"
    NOT_A_DISTRIBUTOR = "not_a_distributor"
    INACTIVE = "inactive"
    #: the identity belongs to another customer
    IDENTITY_TAKEN = "identity_taken"
    #: the host cannot turn a WeChat sign-in into a customer session
    SIGN_IN_NOT_CONFIGURED = "sign_in_not_configured"
    #: the withdrawal's transfer was not made for this Mini Program (another app id: confirm it in H5)
    TRANSFER_APP_MISMATCH = "transfer_app_mismatch"
    INVALID_STATUS = "invalid_status"
    PAYOUT_NOT_CONFIGURED = "payout_not_configured"


#: WeChat's documented errcodes of the Mini Program endpoints -> ours, with a translatable message
ERRCODES: dict[int, tuple[MiniProgramErrorCode, str]] = {
    40029: (MiniProgramErrorCode.CODE_INVALID, _("The sign-in code is invalid or expired: sign in again.")),
    40163: (MiniProgramErrorCode.CODE_INVALID, _("The sign-in code was already used: sign in again.")),
    40226: (MiniProgramErrorCode.RISKY_USER, _("WeChat refused this sign-in (risky account).")),
    45009: (MiniProgramErrorCode.RATE_LIMITED, _("WeChat's call limit is reached: try again later.")),
    45011: (MiniProgramErrorCode.RATE_LIMITED, _("Too many calls to WeChat: try again in a minute.")),
    41030: (
        MiniProgramErrorCode.PAGE_NOT_PUBLISHED,
        _("The Mini Program page is not published yet: publish it, or turn the page check off."),
    ),
}  # fmt: skip


def new_scene() -> str:
    return SCENE_PREFIX + "".join(secrets.choice(SCENE_TOKEN_ALPHABET) for _ in range(SCENE_TOKEN_LENGTH))


def clean_scene(raw: object) -> str | None:
    """A scene as the Mini Program received it (``options.scene``, URL-encoded by WeChat), or None."""
    text = unquote(str(raw or "")).strip()
    return text if SCENE_RE.match(text) else None


def clean_page(raw: object) -> str | None:
    text = str(raw or "").strip().lstrip("/")
    return text if text and len(text) <= PAGE_MAX_LENGTH and PAGE_RE.match(text) else None


#: ``wx.requestSubscribeMessage`` answers per template id: only "accept" permits one message
SUBSCRIBE_ACCEPT = "accept"
SUBSCRIBE_ANSWERS = ("accept", "reject", "ban", "filter")
