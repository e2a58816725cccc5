"""Access tokens: wechatpy's real clients against the fake WeChat, tokens shared through Django's cache,
one refresh (and one retry) on 40001 / 42001, one refresh for many concurrent processes."""

from __future__ import annotations

import pytest
from wechatpy.exceptions import WeChatClientException

from saleor_wechat_distribution.conf import get_official_account_gateway
from saleor_wechat_distribution.ports import AccountCredentials, WeChatApiError
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.wechat.mp import AccountClient

APP = "wxtoken0000000001"


@pytest.fixture
def remote(mp):
    account = mp.add_account(APP)
    mp.follow(APP, "o-1", unionid="u-1")
    return account


def test_clients_share_one_token_through_the_cache(db, mp, remote):
    first = AccountClient(APP, remote.secret)
    assert first.user.get("o-1")["unionid"] == "u-1"
    second = AccountClient(APP, remote.secret)  # another process: a fresh client, same cache
    assert second.user.get("o-1")["openid"] == "o-1"
    assert mp.token_fetches[APP] == 1
    assert mp.calls["user.info"] == 2


@pytest.mark.parametrize("break_tokens", ["expire_tokens", "revoke_tokens"])  # 42001, 40001
def test_refused_token_is_refreshed_once_and_the_call_retried(db, mp, remote, break_tokens):
    client = AccountClient(APP, remote.secret)
    client.user.get("o-1")
    getattr(mp, break_tokens)(APP)
    assert client.user.get("o-1")["openid"] == "o-1"
    assert mp.token_fetches[APP] == 2
    assert mp.calls["user.info"] == 3  # ok, refused, retried


def test_a_token_refused_again_after_the_refresh_is_an_error_not_a_loop(db, mp, remote):
    client = AccountClient(APP, remote.secret)
    client.user.get("o-1")
    mp.accounts[APP].followers.clear()
    mp.revoke_tokens(APP)
    with pytest.raises(WeChatClientException) as raised:
        client.user.get("o-1")
    assert raised.value.errcode == 40003  # retried once, with the new token
    # a fresh token refused too: the client gives up after one refresh and one retry
    mp.refuse_every_token.add(APP)
    before, fetches = mp.calls["user.info"], mp.token_fetches[APP]
    with pytest.raises(WeChatClientException) as raised:
        client.user.get("o-1")
    assert raised.value.errcode == 40001
    assert (mp.calls["user.info"] - before, mp.token_fetches[APP] - fetches) == (2, 1)


def test_wrong_secret_is_a_coded_gateway_error(db, mp, remote):
    with pytest.raises(WeChatApiError) as raised:
        get_official_account_gateway().verify(AccountCredentials(APP, "credentials", app_secret="nope"))
    assert raised.value.errcode == 40125
    with pytest.raises(WeChatApiError) as raised:
        get_official_account_gateway().verify(AccountCredentials("wxunknown00000001", "credentials", "s"))
    assert raised.value.errcode == 40013


def test_many_processes_refresh_an_expired_token_once(transactional_db, mp, remote):
    AccountClient(APP, remote.secret).user.get("o-1")
    mp.expire_tokens(APP)

    def call() -> str:
        return AccountClient(APP, remote.secret).user.get("o-1")["openid"]

    results = run_concurrently([call] * 8)
    assert results == ["o-1"] * 8
    assert mp.token_fetches[APP] == 2  # the first, and one refresh for all eight
