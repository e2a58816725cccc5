"""Binding an account when WeChat cannot be reached is a network failure with its own code and message
(never "WeChat refused these credentials (errcode None)"), by credentials and through the Open Platform;
nothing is stored. WECHAT_DISTRIBUTION_API_BASE_URL points at a closed port, a port that never answers,
and a name that does not resolve."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from saleor_wechat_distribution.models import OfficialAccount
from saleor_wechat_distribution.wechat import mp_errors
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .test_component import COMPLETE, URL, push_ticket

BIND = """
mutation($input: StorefrontAccountBindInput!) {
  storefrontAccountBind(input: $input) { storefront { slug } errors { field code message } }
}"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: connections are refused


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.fixture
def unreachable(settings, silent_port, monkeypatch):
    monkeypatch.setattr(mp_errors, "TIMEOUT_SECONDS", 0.5)

    def point_at(kind: str) -> None:
        urls = {
            "refused": f"http://127.0.0.1:{closed_port()}/",
            "timeout": f"http://127.0.0.1:{silent_port}/",
            "dns": "http://wechat-distribution.invalid/",
        }
        settings.WECHAT_DISTRIBUTION_API_BASE_URL = urls[kind]

    return point_at


MESSAGES = {
    "refused": ("the connection was refused", "连接被拒绝"),
    "timeout": ("did not answer in time", "没有及时应答"),
    "dns": ("could not be resolved", "无法解析"),
}


@pytest.mark.parametrize("kind", MESSAGES)
def test_binding_by_credentials_when_wechat_cannot_be_reached(gql, shop, mp, unreachable, kind):  # noqa: F811
    remote = mp.add_account("wxnetwork00000001")
    shop.account.delete()
    unreachable(kind)
    values = {"appId": remote.app_id, "appSecret": remote.secret, "token": remote.token}
    for language, expected in zip(("en", "zh-hans"), MESSAGES[kind], strict=True):
        answer = gql(BIND, {"input": values}, shop.owner, HTTP_ACCEPT_LANGUAGE=language)
        (error,) = answer["data"]["storefrontAccountBind"]["errors"]
        assert (error["field"], error["code"]) == (None, "WECHAT_UNAVAILABLE")
        assert expected in error["message"] and "errcode" not in error["message"]
    assert not OfficialAccount.objects.filter(app_id=remote.app_id).exists()


def test_a_refusal_is_still_a_refusal(gql, shop, mp):  # noqa: F811
    remote = mp.add_account("wxnetwork00000001")
    values = {"appId": remote.app_id, "appSecret": "not-the-secret", "token": remote.token}
    (error,) = gql(BIND, {"input": values}, shop.owner)["data"]["storefrontAccountBind"]["errors"]
    assert (error["field"], error["code"]) == ("appSecret", "ACCOUNT_VERIFICATION_FAILED")
    assert "errcode 40125" in error["message"]


@pytest.mark.parametrize("kind", ["refused", "timeout"])
def test_open_platform_binding_when_wechat_is_unreachable(client, gql, shop, mp, unreachable, kind):  # noqa: F811
    push_ticket(client, mp)
    code = mp.authorize("wxauthorized00001")
    unreachable(kind)
    url = gql(URL, {"redirect": "https://shop.example.com/bound"}, shop.owner)
    answer = url["data"]["storefrontAccountAuthorizationUrl"]
    assert answer["url"] is None and [e["code"] for e in answer["errors"]] == ["WECHAT_UNAVAILABLE"]
    done = gql(COMPLETE, {"code": code}, shop.owner)["data"]["storefrontAccountAuthorizationComplete"]
    assert [(e["field"], e["code"]) for e in done["errors"]] == [(None, "WECHAT_UNAVAILABLE")]
    assert not OfficialAccount.objects.filter(app_id="wxauthorized00001").exists()


def test_the_reasons_are_read_from_the_exception_chain():
    assert mp_errors.network_reason(socket.gaierror(-2, "Name or service not known")) == "dns"
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as inner:
            raise OSError("wrapped") from inner
    except OSError as outer:
        assert mp_errors.network_reason(outer) == "refused"
    assert mp_errors.network_reason(OSError("something else")) == "network"
