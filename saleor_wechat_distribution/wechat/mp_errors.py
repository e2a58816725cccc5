"""wechatpy's failures as the ports' errors: a refusal (``WeChatApiError`` with WeChat's errcode) is not a
network failure (``WeChatUnreachable`` with its reason), and the two get different answers.

wechatpy raises ``WeChatClientException`` with WeChat's errcode, or with errcode None for an HTTP error;
``requests`` raises ``ConnectionError`` / ``Timeout`` (OSErrors) when nothing answers; and wechatpy's token
fetch passes no timeout at all, so every session we hand wechatpy bounds its calls (``TimeoutSession``).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException

from ..ports import WeChatApiError, WeChatUnreachable

#: seconds a call to WeChat may take (connect, and each read)
TIMEOUT_SECONDS = 5


class TimeoutSession(requests.Session):
    """A requests session whose calls time out unless the caller chose a timeout."""

    def request(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT_SECONDS
        return super().request(*args, **kwargs)


def bounded(client: Any) -> Any:
    """``client`` (any wechatpy client, component or OAuth) with a ``TimeoutSession``."""
    client._http = TimeoutSession()
    return client


def network_reason(error: BaseException) -> str:
    """Why nothing (or nothing like WeChat) answered: looks through the chain of causes that requests and
    urllib3 wrap around the socket's own error."""
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or type(current).__name__ == "NameResolutionError":
            return "dns"
        if isinstance(current, ConnectionRefusedError):
            return "refused"
        if isinstance(current, (TimeoutError, requests.Timeout)) or "Timeout" in type(current).__name__:
            return "timeout"
        if isinstance(current, (json.JSONDecodeError, requests.exceptions.InvalidJSONError)):
            return "http"
        pending.extend(
            [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        )
    return "network"


def api_error(error: Exception) -> WeChatApiError:
    errcode = getattr(error, "errcode", None)
    if errcode is None:  # raise_for_status: an HTTP error, not an answer of WeChat's
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", "")
        return WeChatUnreachable("http", f"HTTP {status}".strip())
    return WeChatApiError(int(errcode), str(getattr(error, "errmsg", "") or ""))


@contextmanager
def wechat_errors() -> Iterator[None]:
    """Around every call through wechatpy: its exceptions become the ports' errors."""
    try:
        yield
    except (WeChatClientException, WeChatOAuthException) as error:
        raise api_error(error) from None
    except (OSError, json.JSONDecodeError) as error:  # requests' errors are OSErrors
        raise WeChatUnreachable(network_reason(error), type(error).__name__) from None
