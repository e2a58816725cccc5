"""GraphiQL is served from the package (React, ReactDOM and GraphiQL copied from npm by ``ui/graphiql``):
it renders and runs a query with no network beyond our own server."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from saleor_wechat_distribution.graphql.views import GRAPHIQL_ASSETS, GRAPHIQL_STATIC

from .conftest import screenshot

URL = re.compile(r"(?:https?:)?//([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


@pytest.mark.django_db
def test_the_page_loads_its_files_from_the_graphql_route_only():
    html = Client().get("/graphql/").content.decode()
    assert set(URL.findall(html)) == set(), "GraphiQL names another host"
    assets = re.findall(r'(?:src|href)="\?graphiql-asset=([^"]+)"', html)
    assert sorted(assets) == sorted(GRAPHIQL_ASSETS)
    for name, content_type in GRAPHIQL_ASSETS.items():
        response = Client().get("/graphql/", {"graphiql-asset": name})
        assert response.status_code == 200 and response["Content-Type"] == content_type
        body = b"".join(response.streaming_content)
        assert body == (GRAPHIQL_STATIC / name).read_bytes() and len(body) > 5000
    for bad in ("../views.py", "graphiql.min.js.map", "", "react.production.min.js/"):
        assert Client().get("/graphql/", {"graphiql-asset": bad}).status_code == 404


@pytest.mark.browser
def test_graphiql_renders_and_queries_with_no_network(browser):
    page = browser.page("/graphql/", offline=True)
    page.locator(".graphiql-container").wait_for()
    page.locator(".graphiql-query-editor .CodeMirror").first.wait_for()
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response .CodeMirror")
    result.filter(has_text='"data"').wait_for()
    assert '"storefront"' in result.inner_text() and "errors" not in result.inner_text()
    # the schema came through our route too (introspection): the documentation explorer lists the root
    page.locator("[aria-label='Show Documentation Explorer']").click()
    page.locator(".graphiql-doc-explorer").get_by_text("Query", exact=True).first.wait_for()
    screenshot(page, "graphiql-offline")
    failed = [r.url for r in browser.requests if not r.url.startswith(browser.base + "/")]
    assert failed == [], f"GraphiQL asked other hosts: {failed}"


def test_saleors_plugin_route_serves_the_same_files():
    """Under Saleor GraphiQL is the plugin's GraphQL route on GET (with DEBUG): its files come from the
    same route, so no other route (and no CDN) is needed."""
    from django.test import RequestFactory

    from saleor_wechat_distribution.ports import Principal
    from saleor_wechat_distribution.saleor_adapter.routes import dispatch

    def get(query: str):
        request = RequestFactory().get("/plugins/channel/cn/wechat.distribution/graphql/" + query)
        return dispatch(request, "graphql/", channel="cn", authenticate=lambda _: Principal.anonymous(),
                        graphiql=True)  # fmt: skip

    assert b"?graphiql-asset=graphiql.min.js" in get("").content
    response = get("?graphiql-asset=react.production.min.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert b"".join(response.streaming_content) == (GRAPHIQL_STATIC / "react.production.min.js").read_bytes()
