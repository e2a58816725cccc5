"""storefront(slug), storefrontUpdate and storefrontAccountBind over HTTP, with the fake WeChat."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import OfficialAccount, Storefront
from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.distributors import distributor_suspend
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import CHANNEL

UPDATE = """
mutation($id: ID, $brand: String, $input: StorefrontInput!) {
  storefrontUpdate(id: $id, brandChannel: $brand, input: $input) {
    storefront { id slug title channel referralCode distributorName allProducts productIds isActive }
    errors { field code message }
  }
}"""
PUBLIC = """
query($slug: String!) {
  storefront(slug: $slug) { slug title welcomeText referralCode distributorName appId }
}"""
BIND = """
mutation($id: ID, $input: StorefrontAccountBindInput!) {
  storefrontAccountBind(id: $id, input: $input) {
    storefront {
      slug
      officialAccount { appId mode appSecret token encodingAesKey isCertifiedServiceAccount }
    }
    errors { field code }
  }
}"""


def update(gql, principal, input, **variables):  # noqa: F811
    result = gql(UPDATE, {"input": input, **variables}, principal)
    assert "errors" not in result, result
    return result["data"]["storefrontUpdate"]


@pytest.fixture
def owner(db):
    principal = customer()
    make_distributor(principal=principal, name="Ann")
    return principal


def test_distributor_creates_and_the_public_reads_it(gql, owner):  # noqa: F811
    answer = update(gql, owner, {"slug": "anns-shop", "title": "Ann's", "channel": CHANNEL})
    assert answer["errors"] == []
    assert answer["storefront"]["distributorName"] == "Ann"
    public = gql(PUBLIC, {"slug": "anns-shop"})["data"]["storefront"]
    assert public["title"] == "Ann's"
    assert public["referralCode"] == answer["storefront"]["referralCode"] != ""
    assert public["appId"] is None
    # inactive: gone for the public, still there for the owner
    update(gql, owner, {"isActive": False})
    assert gql(PUBLIC, {"slug": "anns-shop"})["data"]["storefront"] is None
    assert gql(PUBLIC, {"slug": "anns-shop"}, owner)["data"]["storefront"]["slug"] == "anns-shop"


@pytest.mark.parametrize(
    ("slug", "code"),
    [("admin", "SLUG_RESERVED"), ("graphql", "SLUG_RESERVED"), ("a", "INVALID"), ("Bad_Slug!", "INVALID"),
     ("x" * 51, "TOO_LONG"), ("", "REQUIRED"), ("nul\x00", "INVALID")],
)  # fmt: skip
def test_bad_slugs_are_refused_and_nothing_is_written(gql, owner, slug, code):  # noqa: F811
    answer = update(gql, owner, {"slug": slug, "title": "T", "channel": CHANNEL})
    assert [e["code"] for e in answer["errors"]] == [code]
    assert answer["errors"][0]["field"] == "slug"
    assert not Storefront.objects.exists()


def test_slug_unique(gql, owner):  # noqa: F811
    update(gql, owner, {"slug": "taken", "title": "T", "channel": CHANNEL})
    other = customer()
    make_distributor(principal=other)
    answer = update(gql, other, {"slug": "TAKEN", "title": "T", "channel": CHANNEL})
    assert [e["code"] for e in answer["errors"]] == ["SLUG_TAKEN"]
    assert Storefront.objects.count() == 1


def test_only_owner_or_staff_change_a_storefront(gql, owner):  # noqa: F811
    created = update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL})["storefront"]
    intruder = customer()
    make_distributor(principal=intruder)
    answer = update(gql, intruder, {"title": "Mine now"}, id=created["id"])
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]
    answer = update(gql, customer(), {"title": "x"})
    assert [e["code"] for e in answer["errors"]] == ["NOT_A_DISTRIBUTOR"]
    denied = gql(UPDATE, {"input": {"title": "x"}, "id": created["id"]})
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    ok = update(gql, staff(Permission.MANAGE_USERS), {"title": "By staff"}, id=created["id"])
    assert ok["storefront"]["title"] == "By staff"
    assert Storefront.objects.get().title == "By staff"
    # a staff member without MANAGE_USERS is nobody's owner
    answer = update(gql, staff(Permission.MANAGE_ORDERS), {"title": "x"}, id=created["id"])
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]


def test_curated_products_must_be_offered_by_the_brand(gql, owner):  # noqa: F811
    boss = staff(Permission.MANAGE_USERS)
    curated = {"slug": "the-brand", "title": "B", "allProducts": False, "productIds": ["p1", "p2"]}
    brand = update(gql, boss, curated, brand=CHANNEL)
    assert brand["errors"] == [] and brand["storefront"]["referralCode"] is None
    answer = update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL, "allProducts": False,
                                 "productIds": ["p1", "p3"]})  # fmt: skip
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("productIds", "PRODUCT_NOT_ALLOWED")]
    answer = update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL, "allProducts": False,
                                 "productIds": [" p2 ", "p1", "p2"]})  # fmt: skip
    assert answer["storefront"]["productIds"] == ["p2", "p1"]
    too_many = update(gql, owner, {"productIds": [f"p{i}" for i in range(501)]})
    assert [e["code"] for e in too_many["errors"]] == ["TOO_LONG"]
    # only staff set the brand's storefront
    answer = update(gql, owner, {"slug": "other-brand", "title": "B"}, brand="other")
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]


def test_bind_by_credentials_verifies_seals_and_obfuscates(gql, owner, mp):  # noqa: F811
    update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL})
    remote = mp.add_account("wxanns00000000001")
    aes = "a" * 43
    variables = {"input": {"appId": remote.app_id, "appSecret": "wrong-secret", "token": "tok123"}}
    answer = gql(BIND, variables, owner)["data"]["storefrontAccountBind"]
    refused = [(e["field"], e["code"]) for e in answer["errors"]]
    assert refused == [("appSecret", "ACCOUNT_VERIFICATION_FAILED")]
    assert not OfficialAccount.objects.exists()

    variables["input"] |= {"appSecret": remote.secret, "encodingAesKey": aes}
    answer = gql(BIND, variables, owner)["data"]["storefrontAccountBind"]
    assert answer["errors"] == []
    shown = answer["storefront"]["officialAccount"]
    assert shown["appSecret"] == "********" + remote.secret[-4:]
    assert shown["token"] == "********" + "k123"
    assert shown["encodingAesKey"] == "********aaaa"
    stored = OfficialAccount.objects.get()
    assert remote.secret not in stored.app_secret_sealed and aes not in stored.aes_key_sealed
    assert mp.token_fetches[remote.app_id] == 1

    # the same app id for somebody else's storefront
    other = customer()
    make_distributor(principal=other)
    update(gql, other, {"slug": "others", "title": "T", "channel": CHANNEL})
    answer = gql(BIND, variables, other)["data"]["storefrontAccountBind"]
    assert [e["code"] for e in answer["errors"]] == ["APP_ID_TAKEN"]
    # the public sees no account fields
    hidden = gql('{ storefront(slug: "anns") { officialAccount { appId } } }')
    assert hidden["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("appId", "not-an-app-id", "INVALID"), ("token", "t", "INVALID"), ("encodingAesKey", "short", "INVALID"),
     ("appSecret", "", "REQUIRED")],
)  # fmt: skip
def test_bind_bad_input(gql, owner, mp, field, value, code):  # noqa: F811
    update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL})
    values = {"appId": "wxanns00000000001", "appSecret": "s" * 32, "token": "tok123", field: value}
    answer = gql(BIND, {"input": values}, owner)["data"]["storefrontAccountBind"]
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [(field, code)]
    assert not OfficialAccount.objects.exists()
    assert sum(mp.token_fetches.values()) == 0


def test_storefront_node(gql, owner):  # noqa: F811
    created = update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL})["storefront"]
    found = gql("query($id: ID!) { node(id: $id) { ... on Storefront { slug } } }", {"id": created["id"]})
    assert found["data"]["node"] == {"slug": "anns"}
    missing = gql("query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Storefront", 99999)})
    assert missing["data"]["node"] is None


TEMPLATES = """
mutation($templates: [NotificationTemplateInput!]!) {
  storefrontAccountTemplatesUpdate(templates: $templates) {
    storefront { officialAccount { templates { kind templateId } } }
    errors { field code }
  }
}"""


def test_template_ids_per_kind(gql, shop):  # noqa: F811
    entries = [
        {"kind": "COMMISSION_NEW", "templateId": "TPL_new-1"},
        {"kind": "WITHDRAWAL_PAID", "templateId": "P2"},
    ]
    answer = gql(TEMPLATES, {"templates": entries}, shop.owner)["data"]["storefrontAccountTemplatesUpdate"]
    assert answer["storefront"]["officialAccount"]["templates"] == [
        {"kind": "COMMISSION_NEW", "templateId": "TPL_new-1"},
        {"kind": "WITHDRAWAL_PAID", "templateId": "P2"},
    ]
    answer = gql(TEMPLATES, {"templates": [{"kind": "WITHDRAWAL_PAID", "templateId": ""}]}, shop.owner)
    templates = answer["data"]["storefrontAccountTemplatesUpdate"]["storefront"]["officialAccount"][
        "templates"
    ]
    assert templates == [{"kind": "COMMISSION_NEW", "templateId": "TPL_new-1"}]
    bad = gql(TEMPLATES, {"templates": [{"kind": "COMMISSION_NEW", "templateId": "<b>"}]}, shop.owner)
    assert [e["code"] for e in bad["data"]["storefrontAccountTemplatesUpdate"]["errors"]] == ["INVALID"]
    stranger = gql(TEMPLATES, {"templates": entries}, customer())["data"]["storefrontAccountTemplatesUpdate"]
    assert [e["code"] for e in stranger["errors"]] == ["NOT_A_DISTRIBUTOR"]
    shop.account.refresh_from_db()
    assert shop.account.template_ids == {"commission_new": "TPL_new-1"}


def test_secrets_never_reach_the_logs(gql, owner, mp, caplog):  # noqa: F811
    caplog.set_level("DEBUG")
    update(gql, owner, {"slug": "anns", "title": "T", "channel": CHANNEL})
    remote = mp.add_account("wxlogs00000000001")
    for secret in ("wrong-secret-0123456789", remote.secret):
        gql(BIND, {"input": {"appId": remote.app_id, "appSecret": secret, "token": "tok123"}}, owner)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("saleor_wechat", "wechatpy"))
    )
    assert "wrong-secret-0123456789" not in logged and remote.secret not in logged
    assert OfficialAccount.objects.get().app_id == remote.app_id


def test_a_suspended_distributors_storefront_is_hidden(gql, shop):  # noqa: F811
    assert gql(PUBLIC, {"slug": "xiaowang"})["data"]["storefront"]["title"] == "小王精选"
    distributor_suspend(actor=SYSTEM, distributor_id=shop.distributor.pk)
    assert gql(PUBLIC, {"slug": "xiaowang"})["data"]["storefront"] is None
    assert gql(PUBLIC, {"slug": "xiaowang"}, shop.owner)["data"]["storefront"]["title"] == "小王精选"
