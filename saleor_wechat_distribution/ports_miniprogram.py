"""What the Mini Program (小程序) channel needs from its host and from WeChat, beside ``ports.py``.

- ``MiniProgramSettings``: a channel's Mini Program (app id, sealed-at-rest secret opened in memory, the
  page and ``check_path`` of distributor codes, the subscribe-message templates), from the host's
  configuration (Saleor: the plugin configuration per channel; otherwise Django's
  ``WECHAT_DISTRIBUTION_MINI_PROGRAMS``), registered in ``conf``.
- ``MiniProgramGateway``: the Mini Program calls (``wechat/miniprogram.py``, through wechatpy's
  ``WeChatWxa``); errors are ``ports.WeChatApiError`` / ``WeChatUnreachable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class SubscribeTemplate:
    """A subscribe-message template chosen in the Mini Program's admin for one notification kind, and
    which of its keys (``thing1``, ``amount2``...) carries each of our values (order, amount, time, note)."""

    template_id: str
    fields: dict[str, str] = field(default_factory=dict)
    page: str = ""


@dataclass(frozen=True)
class MiniProgramSettings:
    app_id: str
    app_secret: str = field(repr=False)
    #: the page a distributor code opens (the scene arrives there as ``options.scene``)
    page: str = "pages/index/index"
    #: ask WeChat to check that the page is published (41030 otherwise)
    check_path: bool = True
    #: release | trial | develop
    env_version: str = "release"
    #: notification kind -> template
    subscribe_templates: dict[str, SubscribeTemplate] = field(default_factory=dict)


@dataclass(frozen=True)
class MiniProgramSession:
    """``jscode2session``'s answer. ``session_key`` stays on the server (sealed at rest, never logged,
    never in an API answer): ``repr`` leaves it out."""

    openid: str
    unionid: str = ""
    session_key: str = field(default="", repr=False)


class MiniProgramGateway(Protocol):
    def code_to_session(self, settings: MiniProgramSettings, *, code: str) -> MiniProgramSession: ...

    def unlimited_code(
        self, settings: MiniProgramSettings, *, scene: str, page: str, check_path: bool
    ) -> bytes:
        """The PNG of a 小程序码 for ``scene`` opening ``page``."""
        ...

    def send_subscribe(
        self, settings: MiniProgramSettings, *, openid: str, template_id: str, data: dict, page: str = ""
    ) -> None: ...
