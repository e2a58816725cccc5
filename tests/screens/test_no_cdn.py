"""Nothing from a CDN: the built screens and the HTML we serve name no other host to load from.

Hosts may appear only as text that is never fetched (each one below says why); WeChat's JS-SDK, bundled
from npm, reports its own use to WeChat from inside WeChat, in the distributor center only. At run time the
browser tests record every request a page makes (tests/screens/conftest.py) and the pages' CSP allows only
their own origin.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from saleor_wechat_distribution.center.http import STATIC as CENTER
from saleor_wechat_distribution.console.http import STATIC as CONSOLE

URL = re.compile(r"(?:https?:)?//([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
NEVER_FETCHED = {
    "www.w3.org": "XML namespace names of inline SVG",
    "reactjs.org": "React's production error messages link to its error decoder",
    "fb.me": "a prop-types warning's text",
    "github.com": "WeUI's licence banner (a CSS comment)",
}
#: WeChat's JS-SDK (``weixin-js-sdk`` from npm, instead of res.wx.qq.com/open/js/jweixin-*.js)
WECHAT_SDK = {"open.weixin.qq.com"}


def built_files() -> list[Path]:
    files = [p for root in (CONSOLE, CENTER) for p in root.rglob("*") if p.suffix in (".js", ".css", ".html")]
    assert len(files) >= 6
    return files


@pytest.mark.parametrize("path", built_files(), ids=lambda p: f"{p.parents[1].name}/{p.name}")
def test_built_files_name_no_host_to_load_from(path: Path):
    text = path.read_text(encoding="utf-8")
    hosts = set(URL.findall(text)) - set(NEVER_FETCHED)
    if path.name.startswith("weixin-js-sdk-") and path.is_relative_to(CENTER):
        hosts -= WECHAT_SDK
    assert hosts == set(), f"{path.name} loads from {hosts}"
    if path.suffix == ".css":
        assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", text)
    if path.suffix == ".html":
        assert not re.search(r"(?:src|href)\s*=\s*['\"]?(?:https?:)?//", text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/console/", "/console/distributors/", "/center/", "/dashboard/?page=distributors"]
)
def test_served_html_names_no_other_host(path: str):
    html = Client().get(path).content.decode()
    hosts = set(URL.findall(html))
    assert hosts <= {"testserver"}, hosts
