"""WeChat JS-SDK page signatures (附录1 JS-SDK使用权限签名算法), pure.

``signature = sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")``: the four fields in ASCII order of
their names, values raw (no URL escaping), ``url`` the page's full address without ``#`` and what follows.
WeChat's own example (ticket ``sM4AOVdW…``, nonce ``Wm3WZYTPz0wzccnW``, timestamp 1414587457, url
``http://mp.weixin.qq.com?params=value``) gives ``0f9de62fce790f9a083d5c99e95740ceb90c27ed``
(tests/domain/test_jssdk.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit

#: longer page addresses are refused (WeChat signs what it is given; ours stay far below)
URL_MAX_LENGTH = 1024


class PageUrlInvalid(ValueError):
    """Not an http(s) page address we sign."""


def js_sdk_signature(*, ticket: str, nonce: str, timestamp: int, url: str) -> str:
    fields = {"jsapi_ticket": ticket, "noncestr": nonce, "timestamp": str(timestamp), "url": url}
    text = "&".join(f"{name}={fields[name]}" for name in sorted(fields))
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - WeChat's algorithm, not ours to pick


def page_url(raw: str) -> str:
    """The address WeChat signs: ``raw`` without its fragment. Refuses anything but an absolute
    http(s) URL of printable ASCII (a page address as the browser reports it, already percent-encoded)."""
    url = (raw or "").strip().split("#", 1)[0]
    if not url or len(url) > URL_MAX_LENGTH or not url.isascii() or not url.isprintable() or " " in url:
        raise PageUrlInvalid(raw)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PageUrlInvalid(raw)
    return url


def host_of(url: str) -> str:
    """The lower-cased host name of an address ("" when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Exact host match (WeChat's JS接口安全域名 covers a domain and its subdomains only when the domain is
    entered as such; we ask for the exact host to keep the check obvious)."""
    host = host.lower().rstrip(".")
    return bool(host) and any(host == a.lower().rstrip(".") for a in allowed if a)
