"""What the fake WeChat keeps (accounts, followers, cards, template messages sent) and how it answers:
WeChat's documented errcodes, with HTTP 200."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from ..fake_http import FakeResponse

TOKEN_SECONDS = 7200
QR_MAX_EXPIRE = 2_592_000
QR_PERMANENT_LIMIT = 100_000
#: documented errcodes the fake answers with
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40056: "invalid serial code",
    40078: "invalid card status",
    40099: "invalid code, this code has consumed.",
    40127: "invalid user-card status! the card may be deleted or set unavailable",
    40097: "invalid args",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41011: "missing required fields",
    41012: "missing card_id",
    42001: "access_token expired",
    43004: "require subscribe",
    45030: "this card_id is not authorized to this api",
    61003: "component is not authorized by this account",
    61005: "component ticket is expired",
    61006: "component ticket is invalid",
    61010: "code is expired or used",
    61023: "refresh_token is invalid",
}


@dataclass
class FakeFollower:
    openid: str
    unionid: str = ""
    subscribed: bool = True
    subscribe_scene: str = "ADD_SCENE_SEARCH"
    qr_scene_str: str = ""


@dataclass
class FakeAccount:
    app_id: str
    secret: str
    token: str
    aes_key: str
    name: str = "测试公众号"
    service_type: int = 2  # service account
    verify_type: int = 0  # certified
    followers: dict[str, FakeFollower] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)
    permanent_qr: int = 0


@dataclass
class FakeCard:
    """A legacy 卡券 card (created before 2021-04-01) with custom codes (自定义code: ``card_id`` is
    required with every code call). ``codes``: code -> user_card_status (NORMAL, CONSUMED, DELETE,
    GIFTING, EXPIRE, UNAVAILABLE); ``holders``: code -> openid."""

    card_id: str
    app_id: str
    codes: dict[str, str] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SentTemplate:
    app_id: str
    openid: str
    template_id: str
    data: dict
    url: str
    msgid: int


def wechat_answer(payload: dict[str, Any]) -> FakeResponse:
    return FakeResponse(200, json.dumps(payload, ensure_ascii=False).encode())


def wechat_error(errcode: int) -> FakeResponse:
    # WeChat answers errors with HTTP 200 and an errcode
    return wechat_answer({"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")})


def random_aes_key() -> str:
    return secrets.token_urlsafe(40).replace("-", "a").replace("_", "b")[:43]
