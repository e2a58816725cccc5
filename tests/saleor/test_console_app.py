"""The staff console as a Saleor App, in a real Saleor: installed through Saleor's ``appInstall`` (its
install task fetches our manifest, validates it, creates the App and its extensions, posts the App's token
to our ``tokenTargetUrl``), then the tokens Saleor's dashboard would hand the pages (AppBridge) on our route.

Saleor's outgoing HTTP (``HTTPClient``, requests_hardened) is routed to Django's test client: the same
process and database transaction, so what Saleor creates before it posts is what our route sees.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client, TestCase
from graphql_relay import to_global_id
from saleor.app.models import App, AppExtension
from saleor.core.jwt import create_access_token_for_app
from saleor.graphql.tests.utils import get_graphql_content

from saleor_wechat_distribution.console.manifest import APP_IDENTIFIER
from saleor_wechat_distribution.models import SaleorAppInstallation
from saleor_wechat_distribution.sealing import unseal
from saleor_wechat_distribution.testing.factories import make_distributor

from .saleor_fixtures import post_ours
from .test_in_saleor import plugin_update, shop  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

MANIFEST_PATH = "/plugins/wechat.distribution/app/manifest.json"
APP_INSTALL = """
mutation($input: AppInstallInput!) { appInstall(input: $input) {
  appInstallation { id status message } errors { field code message } } }
"""
EXTENSIONS = """
{ appExtensions(first: 10) { edges { node { label mountName targetName url permissions { code } accessToken
  app { id identifier } } } } }
"""
APP_TOKEN = "query($id: ID!) { app(id: $id) { accessToken } }"
DISTRIBUTORS = "{ distributors(first: 5) { totalCount } }"
DISTRIBUTORS_URL = "/distributors/"


def ours(installed: dict, token: str):
    """Our GraphQL on the channel's plugin route, with an AppBridge token."""
    body = {"query": DISTRIBUTORS}
    return post_ours(Client(), installed["channel"], "graphql/", body, HTTP_AUTHORIZATION=f"Bearer {token}")


class SaleorHttpToTestClient:
    """Stands in for Saleor's ``HTTPClient`` (``send_request``): each request is served in-process."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def send_request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.get("headers") or {})
        self.sent.append((method, url, headers))
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        meta.pop("HTTP_CONTENT_TYPE", None)
        path = urlsplit(url).path
        if method == "GET":
            answer = Client().get(path, **meta)
        else:
            body = json.dumps(kwargs.get("json"))
            answer = Client().post(path, body, content_type="application/json", **meta)
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update(dict(answer.items()))
        response.url = url
        response.request = requests.Request(method, url).prepare()
        return response


@pytest.fixture
def installed(
    shop,  # noqa: F811
    e2e_staff_api_client,
    monkeypatch,
    permission_manage_apps,
):
    """Our App installed through Saleor's appInstall, the plugin active in the shop's channel."""
    e2e_staff_api_client.user.groups.get(name="admins").permissions.add(permission_manage_apps)
    plugin_update(e2e_staff_api_client, shop["channel"]["id"])
    transport = SaleorHttpToTestClient()
    monkeypatch.setattr("saleor.app.installation_utils.HTTPClient", transport)
    manifest_url = "https://example.com" + MANIFEST_PATH
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = e2e_staff_api_client.post_graphql(
            APP_INSTALL,
            {
                "input": {
                    "appName": "WeChat distribution",
                    "manifestUrl": manifest_url,
                    "permissions": ["MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_DISCOUNTS", "MANAGE_PLUGINS"],
                    "activateAfterInstallation": True,
                }
            },
        )
    assert get_graphql_content(response)["data"]["appInstall"]["errors"] == []
    app = App.objects.get(identifier=APP_IDENTIFIER, removed_at__isnull=True)
    return {"app": app, "transport": transport, "channel": shop["channel"]["slug"]}


def test_saleor_installs_the_app_from_our_manifest(installed):
    app, transport = installed["app"], installed["transport"]
    assert app.is_active and app.is_installed and app.type == "thirdparty"
    assert app.app_url == "https://example.com/plugins/wechat.distribution/console/"
    codenames = sorted(p.codename for p in app.permissions.all())
    assert codenames == ["manage_discounts", "manage_orders", "manage_plugins", "manage_users"]
    extensions = {extension.url: extension for extension in AppExtension.objects.filter(app=app)}
    for url, label, mount, permission in (
        ("/distributors/", "Distributors", "navigation_customers", "manage_users"),
        ("/coupons/", "Card-pack coupons", "navigation_discounts", "manage_discounts"),
        ("/storefronts/", "Storefronts and Official Accounts", "navigation_customers", "manage_users"),
        ("/program/", "Distribution program", "navigation_customers", "manage_plugins"),
        ("/network-import/", "Network import", "navigation_customers", "manage_users"),
    ):
        extension = extensions[url]
        assert (extension.label, extension.mount, extension.target) == (label, mount, "app_page")
        assert [p.codename for p in extension.permissions.all()] == [permission]
    described = {
        e.url: (e.label, e.mount, e.target, [p.codename for p in e.permissions.all()])
        for e in AppExtension.objects.filter(app=app)
    }
    assert described["/distributors/"] == (
        "Distributors",
        "navigation_customers",
        "app_page",
        ["manage_users"],
    )
    assert described["/money/"] == ("Money", "navigation_orders", "app_page", ["manage_orders"])
    # the order page's widget (Saleor 3.22+ accepts it)
    assert described["/order-distribution/"] == (
        "Distribution",
        "order_details_widgets",
        "widget",
        ["manage_orders"],
    )
    # the customer widget (Saleor 3.22+ accepts WIDGET targets on CUSTOMER_DETAILS_WIDGETS)
    widget = extensions["/customer-distribution/"]
    assert (widget.label, widget.mount, widget.target) == (
        "Distribution",
        "customer_details_widgets",
        "widget",
    )
    assert [p.codename for p in widget.permissions.all()] == ["manage_users"]
    # Saleor fetched the manifest, then posted the App's token to our tokenTargetUrl, which verified it
    methods = [(method, urlsplit(url).path) for method, url, _ in transport.sent]
    assert methods[:2] == [("GET", MANIFEST_PATH), ("POST", "/plugins/wechat.distribution/app/register/")]
    (installation,) = SaleorAppInstallation.objects.all()
    assert installation.app_id == to_global_id("App", app.pk)
    assert installation.saleor_api_url == "https://example.com/graphql/"
    assert app.tokens.count() == 1 and len(unseal(installation.auth_token_sealed)) == 30


def test_the_extension_and_its_token_follow_the_staff_users_permissions(
    installed, e2e_staff_api_client, e2e_no_permission_staff_api_client
):
    make_distributor()
    extensions = get_graphql_content(e2e_staff_api_client.post_graphql(EXTENSIONS))["data"]["appExtensions"]
    ours_listed = {
        e["node"]["url"]: e["node"]
        for e in extensions["edges"]
        if e["node"]["app"]["identifier"] == APP_IDENTIFIER
    }
    node, widget = ours_listed[DISTRIBUTORS_URL], ours_listed["/customer-distribution/"]
    assert (node["mountName"], node["targetName"], node["permissions"]) == (
        "NAVIGATION_CUSTOMERS",
        "APP_PAGE",
        [{"code": "MANAGE_USERS"}],
    )
    assert (widget["mountName"], widget["targetName"]) == ("CUSTOMER_DETAILS_WIDGETS", "WIDGET")
    assert widget["accessToken"], "the widget gets a token too"
    # the dashboard hands the page this token through AppBridge; our route accepts it
    token = node["accessToken"]
    answer = ours(installed, token)
    assert answer.status_code == 200 and answer.json()["data"]["distributors"]["totalCount"] == 1

    # a staff user without MANAGE_USERS: Saleor gives the extension no token (the dashboard hides it) ...
    hidden = get_graphql_content(e2e_no_permission_staff_api_client.post_graphql(EXTENSIONS))
    (other,) = [
        e["node"] for e in hidden["data"]["appExtensions"]["edges"] if e["node"]["url"] == DISTRIBUTORS_URL
    ]
    assert other["accessToken"] is None
    (hidden_widget,) = [
        e["node"] for e in hidden["data"]["appExtensions"]["edges"]
        if e["node"]["url"] == "/customer-distribution/"
    ]  # fmt: skip
    assert hidden_widget["accessToken"] is None
    # ... and the App's own token for that user carries no MANAGE_USERS: a clear refusal on our route
    app_id = to_global_id("App", installed["app"].pk)
    app_token = get_graphql_content(
        e2e_no_permission_staff_api_client.post_graphql(APP_TOKEN, {"id": app_id})
    )["data"]["app"]["accessToken"]
    refused = ours(installed, app_token)
    assert refused.json()["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_the_money_pages_token_reads_money_and_the_widget_is_offered(
    installed, e2e_staff_api_client, e2e_no_permission_staff_api_client
):
    extensions = get_graphql_content(e2e_staff_api_client.post_graphql(EXTENSIONS))["data"]["appExtensions"]
    ours_ = {e["node"]["url"]: e["node"] for e in extensions["edges"]
             if e["node"]["app"]["identifier"] == APP_IDENTIFIER}  # fmt: skip
    widget = ours_["/order-distribution/"]
    assert (widget["mountName"], widget["targetName"]) == ("ORDER_DETAILS_WIDGETS", "WIDGET")
    token = ours_["/money/"]["accessToken"]
    body = {"query": "{ withdrawalTotals { status count } }"}
    answer = post_ours(Client(), installed["channel"], "graphql/", body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and answer.json() == {"data": {"withdrawalTotals": []}}
    hidden = get_graphql_content(e2e_no_permission_staff_api_client.post_graphql(EXTENSIONS))
    tokens = {e["node"]["url"]: e["node"]["accessToken"] for e in hidden["data"]["appExtensions"]["edges"]}
    assert tokens["/money/"] is None and tokens["/order-distribution/"] is None


def test_a_permission_taken_away_is_gone_at_once(installed, e2e_staff_api_client):
    extensions = get_graphql_content(e2e_staff_api_client.post_graphql(EXTENSIONS))["data"]["appExtensions"]
    token = next(
        e["node"]["accessToken"] for e in extensions["edges"] if e["node"]["url"] == DISTRIBUTORS_URL
    )
    for group in e2e_staff_api_client.user.groups.all():
        group.permissions.remove(*group.permissions.filter(codename="manage_users"))
    answer = ours(installed, token)
    assert answer.json()["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_another_apps_token_is_refused(installed, e2e_staff_api_client, permission_manage_users):
    other = App.objects.create(name="Other app", identifier="other.app", is_active=True, type="thirdparty")
    other.permissions.add(permission_manage_users)
    token = create_access_token_for_app(other, e2e_staff_api_client.user)  # Saleor's own issuing code
    answer = ours(installed, token)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["message"] == "This token was issued for another app."
    # and ours, once deactivated, is refused too
    installed["app"].is_active = False
    installed["app"].save(update_fields=["is_active"])
    own_token = create_access_token_for_app(installed["app"], e2e_staff_api_client.user)
    answer = ours(installed, own_token)
    assert answer.status_code == 401


def test_register_refuses_what_saleor_did_not_issue(installed):
    url = "/plugins/wechat.distribution/app/register/"

    def register(token: str, api_url: str = "https://example.com/graphql/"):
        body = json.dumps({"auth_token": token})
        return Client().post(url, body, content_type="application/json", HTTP_SALEOR_API_URL=api_url)

    assert register("x" * 30).status_code == 401
    assert register("x" * 30).json()["error"]["code"] == "UNKNOWN_APP_ID"
    elsewhere = register("x" * 30, "https://attacker.example/graphql/")
    assert elsewhere.status_code == 403 and elsewhere.json()["error"]["code"] == "SALEOR_URL_PROHIBITED"
    assert SaleorAppInstallation.objects.count() == 1


def test_console_pages_on_the_channel_less_route(installed):
    response = Client().get("/plugins/wechat.distribution/console/distributors/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
    html = response.content.decode()
    assert '<base href="/plugins/wechat.distribution/console/">' in html
    config = json.loads(re.search(r'<script id="wd-config" type="application/json">(.*?)</script>', html)[1])
    assert config["graphqlUrl"] == f"/plugins/channel/{installed['channel']}/wechat.distribution/graphql/"
    (script,) = re.findall(r'src="\./(assets/index-[^"]+\.js)"', html)
    asset = Client().get("/plugins/wechat.distribution/console/" + script)
    assert asset.status_code == 200 and "immutable" in asset["Cache-Control"]
    center = Client().get(f"/plugins/channel/{installed['channel']}/wechat.distribution/center/")
    assert center.status_code == 200 and "weui" not in center["Content-Type"]


def test_the_customer_widget_reads_the_customer_saleor_shows(installed, e2e_staff_api_client, customer_user):
    """The dashboard gives the widget the customer's Saleor id (``User:<pk>``); with the widget's own
    AppBridge token our route answers whether that customer is a distributor."""
    from saleor_wechat_distribution.ports import Principal

    make_distributor(
        principal=Principal(user_id=customer_user.pk, email=customer_user.email), name="Saleor buyer"
    )
    extensions = get_graphql_content(e2e_staff_api_client.post_graphql(EXTENSIONS))["data"]["appExtensions"]
    token = next(
        e["node"]["accessToken"] for e in extensions["edges"] if e["node"]["url"] == "/customer-distribution/"
    )
    body = {
        "query": "query($id: ID!) { customerDistribution(customerId: $id) { distributor { displayName } } }",
        "variables": {"id": to_global_id("User", customer_user.pk)},
    }
    answer = post_ours(Client(), installed["channel"], "graphql/", body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.json()["data"]["customerDistribution"]["distributor"] == {"displayName": "Saleor buyer"}
