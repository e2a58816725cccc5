"""The Mini Program inside Saleor: its settings saved through Saleor's pluginUpdate (the secret sealed in
Saleor's table, read back unsealed by the core's provider), and a sign-in through our plugin route
(jscode2session to the fake WeChat through wechatpy) creating a Saleor customer with Saleor's JWT."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, TestCase
from saleor.account.models import User
from saleor.core.jwt import jwt_decode

from saleor_wechat_distribution import conf
from saleor_wechat_distribution.models import MiniProgramSession, WeChatIdentity
from saleor_wechat_distribution.saleor_adapter.customer_sessions import wechat_email
from saleor_wechat_distribution.saleor_adapter.sealed_config import SEALED_PREFIX
from saleor_wechat_distribution.testing.fake_wechat_mp import FakeWeChatMp

from .test_in_saleor import plugin_update, shop  # noqa: F401 - shop: a fixture
from .test_providers import _raw_configuration

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

MINI = "wx00aa11bb22cc33dd"
SIGN_IN = """mutation($channel: String!, $code: String!) { miniProgramSignIn(channel: $channel, code: $code) {
  token openid errors { code } } }"""


@pytest.fixture
def wechat(settings):
    cache.clear()
    with FakeWeChatMp() as world:
        settings.WECHAT_DISTRIBUTION_API_BASE_URL = world.base_url + "/"
        yield world
    cache.clear()
    assert world.errors == []


def test_mini_program_settings_are_sealed_and_sign_in_gives_a_saleor_token(
    shop, wechat, e2e_staff_api_client, settings  # noqa: F811
):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "a passphrase for the saleor tier"
    channel = shop["channel"]
    slug = channel["slug"]
    remote = wechat.add_mini_program(MINI)
    saved = plugin_update(
        e2e_staff_api_client, channel["id"], mp_app_id=MINI, mp_app_secret=remote.account.secret,
        mp_code_page="pages/index/index",
    )  # fmt: skip
    assert saved["errors"] == []
    raw = _raw_configuration(slug)
    assert remote.account.secret not in raw and SEALED_PREFIX in raw and MINI in raw
    found = conf.mini_program_settings(slug)
    assert (found.app_id, found.app_secret) == (MINI, remote.account.secret)

    body = {"query": SIGN_IN, "variables": {"channel": slug, "code": wechat.wx_login(MINI, "mini-1")}}
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = Client().post(
            f"/plugins/channel/{slug}/wechat.distribution/graphql/", json.dumps(body),
            content_type="application/json",
        )  # fmt: skip
    payload = answer.json()["data"]["miniProgramSignIn"]
    assert payload["errors"] == [] and payload["openid"] == "mini-1"
    user = User.objects.get(email=wechat_email(app_id=MINI, openid="mini-1", unionid=""))
    assert jwt_decode(payload["token"])["email"] == user.email
    identity = WeChatIdentity.objects.get(app_id=MINI, openid="mini-1")
    assert identity.user_id == user.pk and MiniProgramSession.objects.filter(identity=identity).exists()
