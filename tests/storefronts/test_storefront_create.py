"""storefrontCreate: staff create a storefront for a given distributor, over HTTP."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.errors import DistributionError, StorefrontErrorCode
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Storefront
from saleor_wechat_distribution.services.storefronts import storefront_update
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import CHANNEL

CREATE = """
mutation($distributor: ID!, $input: StorefrontInput!) {
  storefrontCreate(distributorId: $distributor, input: $input) {
    storefront { slug title channel referralCode distributorName isBrand }
    errors { field code message }
  }
}"""
PUBLIC = '{ storefront(slug: "anns") { title referralCode distributorName } }'
VALUES = {"slug": "anns", "title": "Ann 的店", "channel": CHANNEL}


@pytest.fixture
def boss(db):
    return staff(Permission.MANAGE_USERS)


def create(gql, principal, distributor_id, values=VALUES):  # noqa: F811
    answer = gql(CREATE, {"distributor": distributor_id, "input": values}, principal)
    assert "errors" not in answer, answer
    return answer["data"]["storefrontCreate"]


def test_staff_create_a_distributors_storefront_and_the_owner_then_edits_it(gql, boss):  # noqa: F811
    owner = customer()
    ann = make_distributor(principal=owner, name="Ann")
    answer = create(gql, boss, to_global_id("Distributor", ann.pk))
    assert answer["errors"] == []
    assert answer["storefront"] == {"slug": "anns", "title": "Ann 的店", "channel": CHANNEL,
                                    "referralCode": ann.referral_code, "distributorName": "Ann",
                                    "isBrand": False}  # fmt: skip
    assert gql(PUBLIC)["data"]["storefront"]["referralCode"] == ann.referral_code
    mine = 'mutation { storefrontUpdate(input: {title: "Mine"}) { storefront { title } errors { code } } }'
    edit = gql(mine, principal=owner)
    assert edit["data"]["storefrontUpdate"] == {"storefront": {"title": "Mine"}, "errors": []}
    assert Storefront.objects.get().distributor_id == ann.pk


def test_one_storefront_per_distributor(gql, boss):  # noqa: F811
    ann = make_distributor(name="Ann")
    create(gql, boss, to_global_id("Distributor", ann.pk))
    again = create(gql, boss, to_global_id("Distributor", ann.pk), {**VALUES, "slug": "anns-two"})
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("distributorId", "STOREFRONT_EXISTS")]
    assert again["storefront"] is None
    assert list(Storefront.objects.values_list("slug", flat=True)) == ["anns"]


@pytest.mark.parametrize(
    ("distributor", "code"),
    [("unknown", "NOT_FOUND"), ("pending", "INACTIVE"), ("suspended", "INACTIVE"), ("rejected", "INACTIVE"),
     ("garbage", "INVALID"), ("wrong-type", "INVALID")],
)  # fmt: skip
def test_unknown_or_inactive_distributors_are_refused(gql, boss, distributor, code):  # noqa: F811
    ids = {
        "unknown": to_global_id("Distributor", 987654),
        "garbage": "not-an-id",
        "wrong-type": to_global_id("Storefront", 1),
    }
    gid = ids.get(distributor) or to_global_id("Distributor", make_distributor(status=distributor).pk)
    answer = create(gql, boss, gid)
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("distributorId", code)]
    assert not Storefront.objects.exists()


def test_bad_input_is_refused_and_nothing_is_written(gql, boss):  # noqa: F811
    ann = make_distributor(name="Ann")
    gid = to_global_id("Distributor", ann.pk)
    for values, expected in [({**VALUES, "slug": "admin"}, ("slug", "SLUG_RESERVED")),
                             ({**VALUES, "title": ""}, ("title", "REQUIRED")),
                             ({"slug": "anns", "title": "T"}, ("channel", "REQUIRED"))]:  # fmt: skip
        answer = create(gql, boss, gid, values)
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [expected]
    other = make_distributor(name="Bob")
    create(gql, boss, to_global_id("Distributor", other.pk), {**VALUES, "slug": "bobs"})
    taken = create(gql, boss, gid, {**VALUES, "slug": "bobs"})
    assert [(e["field"], e["code"]) for e in taken["errors"]] == [("slug", "SLUG_TAKEN")]
    assert list(Storefront.objects.values_list("slug", flat=True)) == ["bobs"]


def test_only_staff_with_manage_users(gql, db):  # noqa: F811
    ann = make_distributor(principal=(owner := customer()), name="Ann")
    gid = to_global_id("Distributor", ann.pk)
    for principal in (None, owner, customer(), staff(Permission.MANAGE_ORDERS)):
        answer = gql(CREATE, {"distributor": gid, "input": VALUES}, principal)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    # the service refuses too, whoever calls it
    with pytest.raises(DistributionError) as refused:
        storefront_update(principal=owner, distributor_id=ann.pk, values=VALUES)
    assert refused.value.code == StorefrontErrorCode.NOT_FOUND
    assert not Storefront.objects.exists()
