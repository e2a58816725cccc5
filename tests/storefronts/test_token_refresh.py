"""The periodic job renewing Open Platform authorizer access tokens before they expire (Celery task run
eagerly; wechatpy's WeChatComponent against the fake WeChat over HTTP)."""

# ruff: noqa: F811 - pytest fixtures imported by name
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from saleor_wechat_distribution.models import ComponentTicket, OfficialAccount
from saleor_wechat_distribution.tasks import wechat_authorizer_tokens_refresh_task
from saleor_wechat_distribution.wechat.mp import CacheSessionStorage
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .test_component import AUTH_APP, QR, authorized, push_ticket  # noqa: F401 - fixture

ACCOUNT = '{ storefront(slug: "xiaowang") { appId officialAccount { appId status } } }'


def run() -> dict[str, int]:
    return wechat_authorizer_tokens_refresh_task.apply().get()


def cached_token() -> str | None:
    return CacheSessionStorage().get(f"{AUTH_APP}_access_token")


def expires_in(minutes: int) -> None:
    OfficialAccount.objects.filter(app_id=AUTH_APP).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=minutes)
    )


def test_tokens_far_from_expiry_are_left_alone(shop, mp, authorized):
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    left = account.access_token_expires_at - timezone.now()
    assert timedelta(minutes=119) < left <= timedelta(hours=2)  # from api_query_auth's expires_in
    assert run() == {"refreshed": 0, "unauthorized": 0, "failed": 0}
    assert mp.calls["component.authorizer_token"] == 0


def test_a_token_near_expiry_is_renewed_and_used(gql, shop, mp, authorized):
    before = cached_token()
    expires_in(10)
    assert run() == {"refreshed": 1, "unauthorized": 0, "failed": 0}
    assert mp.calls["component.authorizer_token"] == 1
    fresh = cached_token()
    assert fresh and fresh != before and mp.tokens[fresh][0] == AUTH_APP
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert account.access_token_expires_at - timezone.now() > timedelta(minutes=119)
    assert account.status == OfficialAccount.Status.ACTIVE
    # the renewed token serves calls without another refresh; a second run has nothing to do
    assert gql(QR, principal=shop.owner)["data"]["storefrontQrCodeCreate"]["qrCode"]["appId"] == AUTH_APP
    assert run() == {"refreshed": 0, "unauthorized": 0, "failed": 0}
    assert mp.calls["component.authorizer_token"] == 1


def test_an_account_never_fetched_is_refreshed(shop, mp, authorized):
    OfficialAccount.objects.filter(app_id=AUTH_APP).update(access_token_expires_at=None)
    cache.delete(f"{CacheSessionStorage.prefix}{AUTH_APP}_access_token")
    assert run()["refreshed"] == 1 and cached_token()


def test_a_withdrawn_authorization_marks_the_account_unauthorized(
    gql,
    shop,
    mp,
    authorized,
    django_capture_on_commit_callbacks,
):
    mp.withdraw_authorization(AUTH_APP)
    expires_in(5)
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == {"refreshed": 0, "unauthorized": 1, "failed": 0}
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert account.status == OfficialAccount.Status.UNAUTHORIZED
    assert account.refresh_token_sealed == "" and account.access_token_expires_at is None
    assert cached_token() is None
    # visible to the owner; the storefront falls back to the brand's account
    shown = gql(ACCOUNT, principal=shop.owner)["data"]["storefront"]
    assert shown == {"appId": shop.brand_account.app_id,
                     "officialAccount": {"appId": AUTH_APP, "status": "unauthorized"}}  # fmt: skip
    assert run() == {"refreshed": 0, "unauthorized": 0, "failed": 0}  # not tried again


def test_a_temporary_failure_keeps_the_account_for_the_next_run(client, shop, mp, authorized):
    expires_in(5)
    cache.clear()  # no component token cached, and no valid verify ticket: WeChat answers 61006
    ComponentTicket.objects.all().delete()
    assert run() == {"refreshed": 0, "unauthorized": 0, "failed": 1}
    assert OfficialAccount.objects.get(app_id=AUTH_APP).status == OfficialAccount.Status.ACTIVE
    push_ticket(client, mp)
    assert run() == {"refreshed": 1, "unauthorized": 0, "failed": 0}


@pytest.mark.parametrize("mode", ["credentials", "not configured"])
def test_nothing_to_do(shop, mp, settings, mode):
    """Credentials-mode accounts fetch their tokens themselves; without a component nothing is called."""
    if mode == "not configured":
        settings.WECHAT_DISTRIBUTION_COMPONENT = None
    assert run() == {"refreshed": 0, "unauthorized": 0, "failed": 0}
    assert sum(mp.calls.values()) == 0
