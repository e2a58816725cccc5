"""How the sandbox serves the screens: the built files (content types, cache lifetimes, nothing else),
the pages' HTML (never cached, a CSP, the page's configuration), the App manifest."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, RequestFactory
from django.utils.html import escape

from saleor_wechat_distribution.console import pages as console_pages
from saleor_wechat_distribution.console.http import STATIC as CONSOLE
from saleor_wechat_distribution.console.manifest import build_manifest, schema_version
from saleor_wechat_distribution.console.pages import PAGES, ConsolePage
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.static_pages import render_page

YEAR = "public, max-age=31536000, immutable"


def config_of(html: str) -> dict:
    return json.loads(re.search(r'<script id="wd-config" type="application/json">(.*?)</script>', html)[1])


def built(pattern: str) -> str:
    (path,) = CONSOLE.joinpath("assets").glob(pattern)
    return path.name


@pytest.mark.parametrize(
    ("path", "content_type", "cache"),
    [
        (lambda: f"/console/assets/{built('index-*.js')}", "text/javascript; charset=utf-8", YEAR),
        (lambda: f"/console/assets/{built('index-*.css')}", "text/css; charset=utf-8", YEAR),
        (lambda: f"/console/assets/{built('Inter-*.woff2')}", "font/woff2", YEAR),
        (lambda: "/console/logo.png", "image/png", "public, max-age=3600"),
    ],
    ids=["js", "css", "font", "logo"],
)
def test_built_files(path, content_type, cache):
    response = Client().get(path())
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == cache
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Client().head(path()).status_code == 200
    assert Client().post(path()).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/console/index.html",  # only rendered, never raw
        "/console/assets/../index.html",
        "/console/assets/.hidden.js",
        "/console/assets/missing-AAAAAAAA.js",
        "/console/../settings.py",
        "/console/nope/",  # not a page
        "/center/assets/%2e%2e/index.html",
    ],
)
def test_nothing_else_is_served(path):
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/console/", ""),
        ("/console/distributors/", "distributors"),
        ("/console/coupons/", "coupons"),
        ("/console/storefronts/", "storefronts"),
    ],
)
def test_console_page_html(path, page):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    html = response.content.decode()
    assert '<base href="/console/">' in html
    config = config_of(html)
    assert config["page"] == page and config["graphqlUrl"] == "/graphql/"
    for listed in (
        {"slug": "distributors", "labels": {"en": "Distributors", "zh-Hans": "分销商"}},
        {"slug": "coupons", "labels": {"en": "Card-pack coupons", "zh-Hans": "卡包优惠券"}},
        {
            "slug": "storefronts",
            "labels": {"en": "Storefronts and Official Accounts", "zh-Hans": "店铺与公众号"},
        },
        {"slug": "program", "labels": {"en": "Distribution program", "zh-Hans": "分销计划"}},
        {"slug": "network-import", "labels": {"en": "Network import", "zh-Hans": "网络导入"}},
    ):
        assert listed in config["pages"]
    # every page of the manifest, with its labels in both languages
    assert {"slug": "distributors", "labels": {"en": "Distributors", "zh-Hans": "分销商"}} in config["pages"]
    assert {"slug": "money", "labels": {"en": "Money", "zh-Hans": "资金"}} in config["pages"]
    assert [p["slug"] for p in config["pages"]] == [p.slug for p in PAGES if p.target == "APP_PAGE"]
    assert config["channel"] is None, "the sandbox serves every channel: the program page offers a picker"
    # the page's scripts and styles are the build's, relative to the base
    for asset in re.findall(r'(?:src|href)="\./(assets/[^"]+)"', html):
        assert Client().get("/console/" + asset).status_code == 200


def test_center_page_html():
    response = Client().get("/center/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
    assert "img-src 'self' data: https:" in response["Content-Security-Policy"]
    assert '<base href="/center/">' in response.content.decode()
    assert Client().get("/center").status_code == 302


def test_configuration_cannot_break_out_of_its_script():
    request = RequestFactory().get("/console/")
    hostile = {"graphqlUrl": "</script><script>alert(1)</script>", "page": '"<!--'}
    html = render_page(request, CONSOLE, base_href='/x"><script>', config=hostile).content.decode()
    assert "<script>alert(1)" not in html and '"><script>' not in html
    assert config_of(html) == hostile
    hostile_base = escape('/x"><script>')
    assert f'<base href="{hostile_base}">' in html


def test_manifest():
    response = Client().get("/app/manifest.json", HTTP_SALEOR_SCHEMA_VERSION="3.20")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    manifest = response.json()
    assert manifest["id"] == "wechat.distribution"
    assert manifest["permissions"] == ["MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_DISCOUNTS", "MANAGE_PLUGINS"]
    assert manifest["appUrl"] == "http://testserver/console/"
    assert manifest["tokenTargetUrl"] == "http://testserver/app/register/"
    assert manifest["brand"]["logo"]["default"] == "http://testserver/console/logo.png"
    assert manifest["requiredSaleorVersion"] == ">=3.20"
    for extension in (
        {
            "label": "Distributors",
            "mount": "NAVIGATION_CUSTOMERS",
            "target": "APP_PAGE",
            "permissions": ["MANAGE_USERS"],
            "url": "/distributors/",
        },
        {
            "label": "Card-pack coupons",
            "mount": "NAVIGATION_DISCOUNTS",
            "target": "APP_PAGE",
            "permissions": ["MANAGE_DISCOUNTS"],
            "url": "/coupons/",
        },
        {
            "label": "Storefronts and Official Accounts",
            "mount": "NAVIGATION_CUSTOMERS",
            "target": "APP_PAGE",
            "permissions": ["MANAGE_USERS"],
            "url": "/storefronts/",
        },
    ):
        assert extension in manifest["extensions"]
    assert manifest["extensions"][0] == {
        "label": "Distributors",
        "mount": "NAVIGATION_CUSTOMERS",
        "target": "APP_PAGE",
        "permissions": ["MANAGE_USERS"],
        "url": "/distributors/",
    }
    money = {"label": "Money", "mount": "NAVIGATION_ORDERS", "target": "APP_PAGE",
             "permissions": ["MANAGE_ORDERS"], "url": "/money/"}  # fmt: skip
    assert money in manifest["extensions"]
    assert "WIDGET" not in {e["target"] for e in manifest["extensions"]}, "Saleor 3.20 knows no widgets"
    widgets = Client().get("/app/manifest.json", HTTP_SALEOR_SCHEMA_VERSION="3.22").json()["extensions"]
    assert {"label": "Distribution", "mount": "ORDER_DETAILS_WIDGETS", "target": "WIDGET",
            "permissions": ["MANAGE_ORDERS"], "url": "/order-distribution/"} in widgets  # fmt: skip
    by_url = {extension["url"]: extension for extension in manifest["extensions"]}
    assert by_url["/program/"]["permissions"] == ["MANAGE_PLUGINS"], "program settings: MANAGE_PLUGINS"
    assert by_url["/network-import/"]["permissions"] == ["MANAGE_USERS"]
    # every extension is a page that exists, within the App's permissions
    for extension in manifest["extensions"]:
        assert Client().get("/console" + extension["url"]).status_code == 200
        assert set(extension["permissions"]) <= set(manifest["permissions"])
    chinese = Client().get("/app/manifest.json?lang=zh-hans").json()
    assert chinese["extensions"][0]["label"] == "分销商"


def test_extensions_a_saleor_version_does_not_know_are_left_out(monkeypatch):
    widget = ConsolePage(
        "order-widget",
        "Distribution",
        "ORDER_DETAILS_WIDGETS",
        (Permission.MANAGE_ORDERS,),
        "WIDGET",
        (3, 22),
    )
    monkeypatch.setattr(console_pages, "PAGES", (PAGES[0], widget))
    monkeypatch.setattr("saleor_wechat_distribution.console.manifest.PAGES", (PAGES[0], widget))

    def mounts(version):
        manifest = build_manifest(prefix="/", absolute=str, saleor_version=version, language="en")
        return [e["mount"] for e in manifest["extensions"]]

    assert "ORDER_DETAILS_WIDGETS" not in mounts(schema_version("3.20"))
    assert mounts(schema_version("3.22"))[-1] == "ORDER_DETAILS_WIDGETS"
    assert mounts(schema_version(None))[-1] == "ORDER_DETAILS_WIDGETS"
    assert mounts(schema_version("3.22"))[:-1] == mounts(schema_version("3.20"))
    assert schema_version("garbage") is None


def test_every_console_page_has_its_react_page():
    """pages.py (the manifest's extensions) and ui/console/src/pages/registry.ts list the same pages."""
    registry = (CONSOLE.parents[2] / "ui" / "console" / "src" / "pages" / "registry.ts").read_text()
    body = registry[registry.index("PAGES") :]
    slugs = [slug.strip('"') for slug in re.findall(r"^\s+([a-z0-9-]+|\"[a-z0-9-]+\"):", body, re.M)]
    assert sorted(slugs) == sorted(p.slug for p in PAGES)
