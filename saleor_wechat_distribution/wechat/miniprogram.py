"""Mini Program (小程序) calls through wechatpy's ``WeChatWxa`` (``client.wxa``), on the same client as
Official Accounts (``mp.AccountClient``: ``cgi-bin/token`` with the Mini Program's app secret, tokens in
Django's cache, one refresh across processes, one retry on a refused token).

- ``code_to_session``: ``sns/jscode2session``. The answer's ``session_key`` goes into the returned
  ``MiniProgramSession`` only (its ``repr`` hides it); nothing here logs an answer.
- ``unlimited_code``: ``wxa/getwxacodeunlimit``. wechatpy 1.8's ``get_wxa_code_unlimited`` has no
  ``check_path`` / ``env_version``, so the same endpoint is posted through ``WeChatWxa._post`` with them;
  the answer is the image (wechatpy hands back the ``requests`` response when it is not JSON) or a JSON
  errcode (``WeChatClientException``).
- ``send_subscribe``: ``cgi-bin/message/subscribe/send`` (``send_subscribe_message``).
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, UnidentifiedImageError
from wechatpy.client.api import WeChatWxa

from ..ports import WeChatApiError, WeChatUnreachable
from ..ports_miniprogram import MiniProgramSession, MiniProgramSettings
from .mp import AccountClient, api_base_url
from .mp_errors import wechat_errors

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
MAX_CODE_BYTES = 2 * 1024 * 1024


class WeChatMiniProgramGateway:
    """``ports_miniprogram.MiniProgramGateway`` through wechatpy."""

    def _wxa(self, settings: MiniProgramSettings) -> WeChatWxa:
        client = AccountClient(settings.app_id, settings.app_secret)
        wxa = client.wxa
        wxa.API_BASE_URL = api_base_url()  # WeChatWxa's own root is WeChat's, not the configured one
        return wxa

    def code_to_session(self, settings: MiniProgramSettings, *, code: str) -> MiniProgramSession:
        with wechat_errors():
            result = self._wxa(settings).code_to_session(code)
        if not isinstance(result, dict):
            raise WeChatUnreachable("http", "jscode2session did not answer JSON")
        return MiniProgramSession(
            openid=str(result.get("openid") or ""),
            unionid=str(result.get("unionid") or ""),
            session_key=str(result.get("session_key") or ""),
        )

    def unlimited_code(
        self, settings: MiniProgramSettings, *, scene: str, page: str, check_path: bool
    ) -> bytes:
        data: dict[str, Any] = {
            "scene": scene,
            "page": page,
            "check_path": check_path,
            "env_version": settings.env_version,
            "width": 430,
        }
        with wechat_errors():
            result = self._wxa(settings)._post("wxa/getwxacodeunlimit", data=data)
        content = getattr(result, "content", None)
        if not isinstance(content, bytes):
            raise WeChatApiError(None, "getwxacodeunlimit answered no image")
        if not content.startswith((PNG_MAGIC, JPEG_MAGIC)) or len(content) > MAX_CODE_BYTES:
            raise WeChatUnreachable("http", "getwxacodeunlimit answered something that is not an image")
        return content if content.startswith(PNG_MAGIC) else as_png(content)

    def send_subscribe(
        self, settings: MiniProgramSettings, *, openid: str, template_id: str, data: dict, page: str = ""
    ) -> None:
        with wechat_errors():
            self._wxa(settings).send_subscribe_message(openid, template_id, data, page=page or None)


def as_png(content: bytes) -> bytes:
    """WeChat may answer a JPEG: we store and serve PNG."""
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise WeChatUnreachable("http", "getwxacodeunlimit answered an unreadable image") from None
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()
