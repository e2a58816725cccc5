"""Each Saleor instance's own Mini Programs on one App server (``WECHAT_DISTRIBUTION_MINI_PROGRAMS``, read
from the environment, and ``WECHAT_DISTRIBUTION_INSTANCES``' ``mini_programs``): two brands with the same
channel slug sign their customers in through their own Mini Program (wechatpy's real client against the
fake WeChat: a code of one app is refused by the other), keep their access tokens apart, and a mistake
stops the server at start-up."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from saleor_wechat_distribution import conf, host, instance_scope
from saleor_wechat_distribution.app import instance_settings
from saleor_wechat_distribution.app.customer_sessions import wechat_email
from saleor_wechat_distribution.app.host_wiring import app_host
from saleor_wechat_distribution.miniprogram_settings import SETTING
from saleor_wechat_distribution.models import MiniProgramSession, WeChatIdentity
from saleor_wechat_distribution.sealing import seal
from saleor_wechat_distribution.testing.fake_wechat_mp import FakeWeChatMp
from tests.storefronts.conftest import mp  # noqa: F401 - fixture

from .conftest import CHANNEL, install
from .fake_saleor import FakeSaleor
from .test_instance_settings import A_URL, B_URL, _start

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
MINI_A, MINI_B = "wx00000000000000a1", "wx00000000000000b2"
OPENID = "o-mini-same-person-0001"
SIGN_IN = """mutation($code: String!) { miniProgramSignIn(channel: "default-channel", code: $code) {
  token openid errors { field code } } }"""


def mini_entry(world: FakeWeChatMp, app_id: str) -> dict:
    """A channel's Mini Program as the settings give it: the secret sealed with the server's key."""
    return {"app_id": app_id, "app_secret_sealed": seal(world.accounts[app_id].secret)}


def configure(settings, saleor: FakeSaleor, other: FakeSaleor, own: dict, world: FakeWeChatMp) -> None:
    """The server's Mini Program is A's (the environment's JSON, checked as App mode's settings check it);
    ``own``: B's entry of ``WECHAT_DISTRIBUTION_INSTANCES``."""
    allowed = [saleor.api_url, other.api_url]
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = allowed
    server = json.dumps({CHANNEL: mini_entry(world, MINI_A)})
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = instance_settings.json_setting(SETTING, server)
    parsed = instance_settings.parse(json.dumps({other.api_url: own}), allowed)
    key = getattr(django_settings, "WECHAT_DISTRIBUTION_SECRET_KEY", "") or django_settings.SECRET_KEY
    instance_settings.mini_program_secrets_check(
        parsed, {SETTING: settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS}, key=key
    )
    settings.WECHAT_DISTRIBUTION_INSTANCES = parsed


@pytest.fixture
def minis(db, client, saleor, other_saleor, mp, settings):  # noqa: F811
    """A and B installed on one server, both with a channel ``default-channel``; the fake WeChat has two
    Mini Programs, A's (the server's setting) and B's (B's own ``mini_programs``)."""
    for app_id in (MINI_A, MINI_B):
        mp.add_mini_program(app_id)
    configure(settings, saleor, other_saleor, {"mini_programs": {CHANNEL: mini_entry(mp, MINI_B)}}, mp)
    a, b = install(client, saleor), install(client, other_saleor)
    with host.overridden(**app_host()):
        yield a, b


def sign_in(fake: FakeSaleor, code: str) -> dict:
    """An anonymous Mini Program's sign-in to the App's ``/graphql/``, saying its Saleor instance."""
    answer = Client().post(
        "/graphql/",
        {"query": SIGN_IN, "variables": {"code": code}},
        content_type="application/json",
        headers={"Saleor-Api-Url": fake.api_url},
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["data"]["miniProgramSignIn"]


def test_a_sign_in_resolves_through_each_instances_own_mini_program(
    minis,
    mp,  # noqa: F811
    saleor,
    other_saleor,
):
    a, b = minis
    for installation, app_id in ((a, MINI_A), (b, MINI_B)):
        with instance_scope.scoped(installation.schema):
            assert conf.mini_program_settings(CHANNEL).app_id == app_id
    # the same person (same openid in both fakes' apps) signs in to each brand's Mini Program
    for fake, app_id in ((saleor, MINI_A), (other_saleor, MINI_B)):
        answer = sign_in(fake, mp.wx_login(app_id, OPENID))
        assert answer["errors"] == [] and answer["openid"] == OPENID and answer["token"]
        (user,) = fake.users.values()  # the customer is created in that brand's Saleor only
        assert user["email"] == wechat_email(app_id=app_id, openid=OPENID, unionid="")
    for installation, app_id in ((a, MINI_A), (b, MINI_B)):
        with instance_scope.scoped(installation.schema):
            identity = WeChatIdentity.objects.get()
            assert (identity.app_id, identity.openid) == (app_id, OPENID)
            assert MiniProgramSession.objects.get().identity_id == identity.pk
    assert mp.calls["wxa.jscode2session"] == 2
    # a code of A's Mini Program means nothing to B's: WeChat refuses it under B's app id (40029)
    refused = sign_in(other_saleor, mp.wx_login(MINI_A, "o-someone-else"))
    assert refused["errors"] == [{"field": "code", "code": "CODE_INVALID"}] and refused["token"] is None
    with instance_scope.scoped(b.schema):
        assert WeChatIdentity.objects.count() == 1


def test_access_tokens_are_kept_under_each_instances_app_id(minis, mp):  # noqa: F811
    """A Mini Program's calls that need an access token (a distributor code) fetch and keep it under their
    own app id: neither brand ever sends the other's token."""
    a, b = minis
    gateway = conf.get_mini_program_gateway()
    for installation in (a, b):
        with instance_scope.scoped(installation.schema):
            found = conf.mini_program_settings(CHANNEL)
            png = gateway.unlimited_code(found, scene="s=abc", page="pages/index/index", check_path=True)
            assert png.startswith(b"\x89PNG")
    assert [made.app_id for made in mp.codes_made] == [MINI_A, MINI_B]
    assert mp.token_fetches[MINI_A] == 1 and mp.token_fetches[MINI_B] == 1  # each app its own token
    for installation, app_id in ((a, MINI_A), (b, MINI_B)):
        with instance_scope.scoped(installation.schema):
            kept = cache.get(f"wd:wechatpy:{app_id}_access_token")
            assert mp.tokens[kept][0] == app_id  # WeChat's token of this instance's app


def test_instances_sharing_the_servers_mini_program_share_its_one_token(
    minis,
    mp,  # noqa: F811
    settings,
    saleor,
    other_saleor,
):
    """WeChat keeps one valid access token per app: a new one retires the last within minutes. Two
    instances on the server's Mini Program fetch it once and both use it (kept per instance, each would
    keep retiring the other's, and spend the app's daily token quota)."""
    a, b = minis
    configure(settings, saleor, other_saleor, {"program": {"auto_approve": True}}, mp)  # B: the server's
    gateway = conf.get_mini_program_gateway()
    for installation in (a, b, a):
        with instance_scope.scoped(installation.schema):
            found = conf.mini_program_settings(CHANNEL)
            assert found.app_id == MINI_A
            png = gateway.unlimited_code(found, scene="s=abc", page="pages/index/index", check_path=True)
            assert png.startswith(b"\x89PNG")
    assert [made.app_id for made in mp.codes_made] == [MINI_A] * 3
    assert mp.token_fetches[MINI_A] == 1
    tokens = set()
    for installation in (a, b):
        with instance_scope.scoped(installation.schema):
            tokens.add(cache.get(f"wd:wechatpy:{MINI_A}_access_token"))
    assert len(tokens) == 1 and mp.tokens[tokens.pop()][0] == MINI_A
    # what is not a WeChat app's stays the instance's own
    with instance_scope.scoped(a.schema):
        cache.set("wd:import-progress", "a's")
    with instance_scope.scoped(b.schema):
        assert cache.get("wd:import-progress") is None


@pytest.mark.parametrize("none", [{}, None])
def test_an_empty_entry_means_none_and_a_missing_one_the_servers(
    minis,
    mp,  # noqa: F811
    settings,
    saleor,
    other_saleor,
    none,
):
    a, b = minis
    configure(settings, saleor, other_saleor, {"mini_programs": none}, mp)
    with instance_scope.scoped(b.schema):
        assert conf.mini_program_settings(CHANNEL) is None
    refused = sign_in(other_saleor, mp.wx_login(MINI_B, OPENID))
    assert refused["errors"] == [{"field": "channel", "code": "NOT_CONFIGURED"}]
    with instance_scope.scoped(a.schema):  # A (no entry) keeps the server's
        assert conf.mini_program_settings(CHANNEL).app_id == MINI_A
    # "mini_programs" left out of B's entry: the server's Mini Program, A's
    configure(settings, saleor, other_saleor, {"program": {"auto_approve": True}}, mp)
    with instance_scope.scoped(b.schema):
        assert conf.mini_program_settings(CHANNEL).app_id == MINI_A
    assert sign_in(other_saleor, mp.wx_login(MINI_A, OPENID))["errors"] == []
    assert mp.calls["wxa.jscode2session"] == 1  # the refused one never reached WeChat


# --- start-up -----------------------------------------------------------------------------------------


def entry(**overrides) -> dict:
    values = {"app_id": MINI_B, "app_secret": "mini-secret"} | overrides
    return {k: v for k, v in values.items() if v is not None}


@pytest.mark.parametrize(
    ("mini_programs", "says"),
    [
        ([], "must be an object"),
        ({"*": "wx00000000000000b2"}, "['*'] must be an object"),
        ({"*": entry(appid="x")}, "['*']: unknown key(s) 'appid'"),
        ({"*": entry(app_id=None)}, "['*']['app_id']: the Mini Program's AppID"),
        ({"*": entry(app_id="wxNOTVALID")}, "['*']['app_id']: the Mini Program's AppID"),
        ({"*": entry(app_secret=None)}, "['*']: give the AppSecret once"),
        ({"*": entry(app_secret_sealed="x")}, "['*']: give the AppSecret once"),
        ({"*": entry(app_secret="")}, "['*']: give the AppSecret once"),
        ({"*": entry(page="/pages/a?b=1")}, "['*']['page']: a page path"),
        ({"*": entry(env_version="beta")}, "['*']['page']: a page path such as pages/index/index; env"),
        ({"*": entry(check_path="yes")}, "['*']['check_path'] must be true or false"),
        ({"*": entry(subscribe_templates={"refund": "TPL"})}, "['subscribe_templates']: unknown kind"),
        ({"*": entry(subscribe_templates={"withdrawal_paid": ["TPL"]})}, "['*']: "),
    ],
)
def test_a_misconfigured_mini_program_is_refused_saying_where(mini_programs, says):
    with pytest.raises(ImproperlyConfigured) as refused:
        instance_settings.parse(json.dumps({B_URL: {"mini_programs": mini_programs}}), [A_URL, B_URL])
    assert f"WECHAT_DISTRIBUTION_INSTANCES['{B_URL}']['mini_programs']" in str(refused.value)
    assert says in str(refused.value)
    with pytest.raises(ImproperlyConfigured) as shared:  # the server's setting, checked alike
        instance_settings.json_setting(SETTING, json.dumps(mini_programs))
    assert str(shared.value).startswith(SETTING) and says in str(shared.value)


def test_sealed_secrets_must_open_with_the_servers_key_and_one_app_has_one_secret():
    key = "the server's sealing key"
    with pytest.raises(ImproperlyConfigured) as refused:
        instance_settings.mini_program_secrets_check(
            {B_URL: {SETTING: {CHANNEL: entry(app_secret=None, app_secret_sealed=seal("s"))}}},
            {},
            key=key,
        )  # sealed with the test settings' key, not this one
    said = str(refused.value)
    assert f"['{B_URL}']['mini_programs']['{CHANNEL}']['app_secret_sealed']: does not open" in said
    server = {SETTING: {"*": entry(app_secret="one")}}
    with pytest.raises(ImproperlyConfigured, match="has another AppSecret in WECHAT_DISTRIBUTION_MINI_"):
        instance_settings.mini_program_secrets_check({B_URL: {SETTING: {CHANNEL: entry()}}}, server, key=key)
    # the same app with the same secret (as plaintext and sealed with the key), and no Mini Program at all
    sealed = {CHANNEL: {"app_id": MINI_B, "app_secret_sealed": _sealed_with(key, "one")}}
    both = {B_URL: {SETTING: sealed}, A_URL: {SETTING: {}}}
    instance_settings.mini_program_secrets_check(both, server, key=key)
    instance_settings.mini_program_secrets_check({}, {SETTING: None}, key=key)


def _sealed_with(key: str, value: str) -> str:
    from saleor_wechat_distribution.sealing import _fernet

    return _fernet(key).encrypt(value.encode()).decode()


def test_the_server_does_not_start_with_a_misconfigured_mini_program():
    bad_json = _start(WECHAT_DISTRIBUTION_MINI_PROGRAMS="{")
    assert bad_json.returncode == 2 and f"{SETTING} is not valid JSON" in bad_json.stderr
    unsealed = json.dumps({B_URL: {"mini_programs": {"*": {"app_id": MINI_B, "app_secret_sealed": "x"}}}})
    refused = _start(WECHAT_DISTRIBUTION_INSTANCES=unsealed)
    assert refused.returncode == 2
    assert f"['{B_URL}']['mini_programs']['*']['app_secret_sealed']: does not open" in refused.stderr
