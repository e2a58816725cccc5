"""How a call to WeChat can fail, as the gateways (ports.py) report it: WeChat refused (its errcode), or
WeChat could not be reached. Re-exported by ``ports``."""

from __future__ import annotations


class WeChatApiError(Exception):
    """WeChat answered with an errcode; ``errcode`` None: no errcode (``WeChatUnreachable``, or our own
    refusal before calling, such as an Open Platform that is not configured)."""

    def __init__(self, errcode: int | None, errmsg: str = "") -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatUnreachable(WeChatApiError):
    """WeChat could not be reached, or what answered was not WeChat (``errcode`` None): a network failure,
    worth trying again, never a refusal. ``reason``: "refused" (connection refused), "timeout", "dns" (the
    name did not resolve), "http" (an HTTP error or a body that is not WeChat's JSON) or "network"."""

    REASONS = ("refused", "timeout", "dns", "http", "network")

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(None, detail or reason)
        self.reason = reason if reason in self.REASONS else "network"
