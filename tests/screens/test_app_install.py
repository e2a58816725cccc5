"""Installing the console's App: Saleor posts the App's token to ``app/register/``; the sandbox verifies
it the way @saleor/app-sdk does (ask that Saleor ``{ app { id } }`` with the token, fetch its JWKS) and
stores the installation per Saleor instance, the token sealed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from saleor_wechat_distribution.models import SaleorAppInstallation
from saleor_wechat_distribution.sealing import unseal
from saleor_wechat_distribution.testing.fake_saleor_api import FakeSaleorApi

pytestmark = pytest.mark.django_db

APP_ID = "QXBwOjQy"  # App:42
TOKEN = "t" * 30


@pytest.fixture
def saleor():
    with FakeSaleorApi() as world:
        world.apps[TOKEN] = APP_ID
        yield world


def register(api_url: str | None, body: object = None, **headers):
    if api_url is not None:
        headers["HTTP_SALEOR_API_URL"] = api_url
    data = (
        body
        if isinstance(body, (str, bytes))
        else json.dumps({"auth_token": TOKEN} if body is None else body)
    )
    return Client().post("/app/register/", data=data, content_type="application/json", **headers)


def test_registers_and_stores_the_token_sealed(saleor):
    response = register(saleor.api_url)
    assert response.status_code == 200 and response.json() == {"success": True}
    (installation,) = SaleorAppInstallation.objects.all()
    assert installation.saleor_api_url == saleor.api_url and installation.app_id == APP_ID
    assert installation.auth_token_sealed != TOKEN and unseal(installation.auth_token_sealed) == TOKEN
    assert json.loads(installation.jwks)["keys"][0]["kid"] == "fake"
    assert ("POST", "/graphql/") in saleor.requests and ("GET", "/.well-known/jwks.json") in saleor.requests


def test_reinstalling_replaces_the_installation(saleor):
    register(saleor.api_url)
    saleor.apps["u" * 30] = "QXBwOjQz"
    assert register(saleor.api_url, {"auth_token": "u" * 30}).status_code == 200
    (installation,) = SaleorAppInstallation.objects.all()
    assert installation.app_id == "QXBwOjQz" and unseal(installation.auth_token_sealed) == "u" * 30


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [("unknown-token", 401, "UNKNOWN_APP_ID"), ("no-jwks", 401, "JWKS_NOT_AVAILABLE")],
)
def test_refused_like_app_sdk(saleor, case, status, code):
    body = {"auth_token": "x" * 30} if case == "unknown-token" else None
    saleor.serve_jwks = case != "no-jwks"
    response = register(saleor.api_url, body)
    assert response.status_code == status
    assert response.json()["success"] is False and response.json()["error"]["code"] == code
    assert response.json()["error"]["message"], "Saleor shows this message when the install fails"
    assert not SaleorAppInstallation.objects.exists()


def test_only_allowed_saleor_instances(saleor, settings):
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = ["https://shop.example.com/graphql/"]
    response = register(saleor.api_url)
    assert response.status_code == 403 and response.json()["error"]["code"] == "SALEOR_URL_PROHIBITED"
    assert saleor.requests == [], "not even asked"


@pytest.mark.parametrize(
    ("api_url", "body", "status"),
    [
        (None, None, 400),  # no Saleor-Api-Url header
        ("ftp://saleor.example.com/graphql/", None, 400),
        ("http://saleor.example.com/graphql/", "{not json", 400),
        ("http://saleor.example.com/graphql/", {"token": "x"}, 400),
        ("http://saleor.example.com/graphql/", {"auth_token": ""}, 400),
        ("http://saleor.example.com/graphql/", ["auth_token"], 400),
        ("http://saleor.example.com/graphql/", {"auth_token": "x" * 20_000}, 413),
    ],
    ids=["no-header", "scheme", "json", "no-token", "empty-token", "not-an-object", "too-large"],
)
def test_malformed_requests(api_url, body, status):
    response = register(api_url, body)
    assert response.status_code == status
    assert response.json()["success"] is False and response.json()["error"]["message"]
    assert not SaleorAppInstallation.objects.exists()


def test_only_post():
    response = Client().get("/app/register/")
    assert response.status_code == 405 and response["Allow"] == "POST"
