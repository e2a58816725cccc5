"""GraphQL: the staff lists of the console's storefronts page: storefronts with their Official Account
(authorized, unauthorized, none of its own), searchable and filterable, and the detached accounts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import OfficialAccount, Storefront
from saleor_wechat_distribution.services.official_accounts import (
    official_account_bind_credentials,
    official_account_unauthorized,
)
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import CHANNEL, SHOP_APP, bind_account

pytestmark = pytest.mark.django_db

LIST = """query($first: Int, $after: String, $search: String, $account: StorefrontAccountFilterEnum) {
  storefronts(first: $first, after: $after, search: $search, account: $account) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { slug title isBrand distributorName officialAccount { appId mode status } } }
  }
}"""
DETACHED = """query($search: String) { detachedOfficialAccounts(search: $search) {
  totalCount edges { node { appId status updatedAt } } } }"""


def slugs(answer) -> list[str]:
    return [edge["node"]["slug"] for edge in answer["edges"]]


def run(gql, query=LIST, principal=None, **variables):  # noqa: F811
    answer = gql(query, variables, principal or staff(Permission.MANAGE_USERS))
    assert "errors" not in answer, answer
    return next(iter(answer["data"].values()))


def test_each_storefront_with_its_account_and_status(gql, shop, mp):  # noqa: F811
    bare = Storefront.objects.create(
        distributor=make_distributor(name="小李"), slug="xiaoli", title="小李好物", channel=CHANNEL
    )
    answer = run(gql)
    assert answer["totalCount"] == 3 and slugs(answer) == ["xiaoli", "xiaowang", "brand-shop"]
    nodes = {edge["node"]["slug"]: edge["node"] for edge in answer["edges"]}
    assert nodes["xiaoli"]["officialAccount"] is None and nodes["xiaoli"]["distributorName"] == "小李"
    assert nodes["xiaowang"]["officialAccount"] == {
        "appId": SHOP_APP,
        "mode": "CREDENTIALS",
        "status": "active",
    }
    assert nodes["brand-shop"]["isBrand"]
    shop.account.mode = OfficialAccount.Mode.COMPONENT
    shop.account.save()
    assert official_account_unauthorized(app_id=SHOP_APP)
    assert slugs(run(gql, account="UNAUTHORIZED")) == ["xiaowang"]
    assert slugs(run(gql, account="ACTIVE")) == ["brand-shop"]
    assert slugs(run(gql, account="NONE")) == [bare.slug]


def test_search_by_slug_or_title_and_paging(gql, shop):  # noqa: F811
    assert slugs(run(gql, search="WANG")) == ["xiaowang"]
    assert slugs(run(gql, search="精选")) == ["xiaowang"]
    assert run(gql, search="nobody")["totalCount"] == 0
    first = run(gql, first=1)
    assert first["pageInfo"]["hasNextPage"] and slugs(first) == ["xiaowang"]
    assert slugs(run(gql, first=1, after=first["pageInfo"]["endCursor"])) == ["brand-shop"]


def test_a_replaced_account_is_listed_as_detached(gql, shop, mp):  # noqa: F811
    other = mp.add_account("wxsecond000000001")
    official_account_bind_credentials(
        principal=shop.staff,
        storefront_id=shop.storefront.pk,
        app_id=other.app_id,
        app_secret=other.secret,
        token=other.token,
    )
    detached = run(gql, DETACHED)
    assert detached["totalCount"] == 1
    assert [(n["node"]["appId"], n["node"]["status"]) for n in detached["edges"]] == [(SHOP_APP, "detached")]
    assert run(gql, DETACHED, search="nothing")["totalCount"] == 0
    now = {e["node"]["slug"]: e["node"]["officialAccount"]["appId"] for e in run(gql)["edges"]}
    assert now["xiaowang"] == other.app_id


@pytest.mark.parametrize("who", [None, "customer", "staff_discounts"])
def test_needs_manage_users(gql, who, shop):  # noqa: F811
    principal = {"customer": customer(), "staff_discounts": staff(Permission.MANAGE_DISCOUNTS)}.get(who)
    for query in (LIST, DETACHED):
        answer = gql(query, {}, principal)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_statements_per_page_do_not_grow_with_its_size(gql, shop, mp):  # noqa: F811
    for n in range(8):
        storefront = Storefront.objects.create(
            distributor=make_distributor(name=f"店主 {n}"), slug=f"shop-{n}", title=f"店 {n}", channel=CHANNEL
        )
        if n % 2:
            bind_account(mp, storefront, f"wxmany0000000{n:04d}")
    principal = staff(Permission.MANAGE_USERS)
    counts = []
    for first in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            assert len(run(gql, principal=principal, first=first)["edges"]) == first
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
