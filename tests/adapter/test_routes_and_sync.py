"""The plugin's HTTP routes (with a stand-in authenticator: Saleor's is tested in the saleor tier) and
the settings form -> program sync, on PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import RequestFactory

from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.domain.referrals import user_customer_key
from saleor_wechat_distribution.graphql.views import AuthenticationFailed
from saleor_wechat_distribution.models import ChannelProgram, CommissionRule, CustomerBinding
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.saleor_adapter.config import ConfigurationError
from saleor_wechat_distribution.saleor_adapter.program_sync import sync_program
from saleor_wechat_distribution.saleor_adapter.routes import dispatch
from saleor_wechat_distribution.services.bindings import customer_bindings_forget
from saleor_wechat_distribution.services.programs import RuleInput, commission_rules_set
from saleor_wechat_distribution.services.referrals import referral_touch_by_code
from saleor_wechat_distribution.testing.factories import customer, make_distributor

pytestmark = pytest.mark.django_db
rf = RequestFactory()


def anonymous(request):
    return Principal.anonymous()


def refuse(request):
    raise AuthenticationFailed("Signature has expired")


def call(method, route, body=None, authenticate=anonymous, **extra):
    if method == "post":
        request = rf.post("/x", json.dumps(body or {}), content_type="application/json", **extra)
    else:
        request = rf.get("/x", **extra)
    return dispatch(request, route, channel="cn", authenticate=authenticate, graphiql=False)


def test_graphql_route_serves_our_schema():
    response = call("post", "/graphql/", {"query": "{ __typename }"})
    assert response.status_code == 200 and json.loads(response.content) == {"data": {"__typename": "Query"}}
    assert call("post", "/graphql/", {"query": "{ __typename }"}, authenticate=refuse).status_code == 401
    assert call("get", "/graphql/").status_code == 405


@pytest.mark.parametrize(
    ("route", "status"),
    [
        ("/export/ledger.csv", 401),  # anonymous
        ("/export/passwords.csv", 404),
        ("/wechat/wx0123456789abcdef/", 404),  # an Official Account we do not know
        ("/wechat/component/", 405),  # the Open Platform posts its notices
        ("/wechatpay/coupons/1900000109/notify/", 405),
        ("/wechat/not-an-app-id/", 404),
        ("/nothing/", 404),
        (None, 404),
    ],
)
def test_other_routes(route, status):
    response = call("get", route)
    assert response.status_code == status


def test_payout_notifications_route_needs_a_merchant():
    assert call("get", "/wechatpay/notify/").status_code == 405
    assert call("post", "/wechatpay/notify/", {"id": "x"}).status_code == 404  # no merchant configured


def items(**values):
    return [{"name": k, "value": v} for k, v in values.items()]


def test_settings_reach_the_program_and_keep_scoped_rules():
    sync_program("cn", "CNY", items(commission_depth="2", commission_rate_level_1="10",
                                    commission_rate_level_2="5", freeze_days="7"))  # fmt: skip
    program = ChannelProgram.objects.get(channel="cn")
    assert (program.commission_depth, program.freeze_days, program.currency) == (2, 7, "CNY")
    rules = CommissionRule.objects.filter(channel="cn")
    assert sorted((r.level, r.rate) for r in rules) == [(1, Decimal("10")), (2, Decimal("5"))]
    version = program.version

    # the API's product rule stays when the form changes the level rates
    commission_rules_set(actor=SYSTEM, channel="cn", rules=[
        RuleInput(level=1, rate=Decimal("10")), RuleInput(level=2, rate=Decimal("5")),
        RuleInput(level=1, rate=Decimal("20"), product_id="UHJvZHVjdDo3"),
    ])  # fmt: skip
    sync_program(
        "cn", "CNY", items(commission_depth="1", commission_rate_level_1="8", commission_rate_level_2="")
    )
    rules = CommissionRule.objects.filter(channel="cn")
    assert sorted((r.level, r.rate, r.product_id) for r in rules) == [
        (1, Decimal("8"), None), (1, Decimal("20"), "UHJvZHVjdDo3"),
    ]  # fmt: skip
    assert ChannelProgram.objects.get(channel="cn").commission_depth == 1
    assert ChannelProgram.objects.get(channel="cn").version > version

    # saving the same form again (as Saleor does to switch the plugin on or off) changes nothing
    before = ChannelProgram.objects.values().get(channel="cn")
    for _ in range(3):
        sync_program(
            "cn", "CNY", items(commission_depth="1", commission_rate_level_1="8", commission_rate_level_2="")
        )
    assert ChannelProgram.objects.values().get(channel="cn") == before


def test_the_program_records_who_saved_the_form_and_a_new_version_only_for_money_rules():
    staff = Principal(user_id=42, email="ops@example.com", is_staff=True)
    sync_program("cn", "CNY", items(freeze_days="7"), actor=staff)
    program = ChannelProgram.objects.get(channel="cn")
    assert program.updated_by == "staff:42"
    version = program.version
    # where share links point is no rule about money: recorded, same version
    sync_program("cn", "CNY", items(freeze_days="7", storefront_base_url="https://m.example.com"),
                 actor=Principal(app_id=3, is_staff=True))  # fmt: skip
    program = ChannelProgram.objects.get(channel="cn")
    assert (program.version, program.updated_by, program.storefront_base_url) == (
        version, "app:3", "https://m.example.com",
    )  # fmt: skip
    # a rate, the freeze window, the binding policy are
    form = {"freeze_days": "7", "storefront_base_url": "https://m.example.com"}
    for changed in (
        {"commission_rate_level_1": "12"},
        {"freeze_days": "8"},
        {"binding_trigger": "first_order"},
    ):
        form.update(changed)
        sync_program("cn", "CNY", items(**form), actor=staff)
        program = ChannelProgram.objects.get(channel="cn")
        assert (program.version, program.updated_by) == (version + 1, "staff:42"), changed
        version = program.version


def test_fewer_levels_than_a_scoped_rule_is_refused_whole():
    sync_program("cn", "CNY", items(commission_depth="2"))
    commission_rules_set(actor=SYSTEM, channel="cn", rules=[
        RuleInput(level=1, rate=Decimal("10")), RuleInput(level=2, rate=Decimal("3"), category_id="Q2F0OjE="),
    ])  # fmt: skip
    before = list(CommissionRule.objects.filter(channel="cn").values_list("level", "rate", "category_id"))
    with pytest.raises(DistributionError):
        sync_program("cn", "CNY", items(commission_depth="1", commission_rate_level_2=""))
    assert ChannelProgram.objects.get(channel="cn").commission_depth == 2
    after = list(CommissionRule.objects.filter(channel="cn").values_list("level", "rate", "category_id"))
    assert sorted(after) == sorted(before)
    with pytest.raises(ConfigurationError):
        sync_program("cn", "CNY", items(commission_depth="5"))


def test_referral_seen_binds_and_customer_deletion_forgets():
    distributor = make_distributor(principal=customer())
    buyer = customer()
    assert referral_touch_by_code(channel="cn", user_id=buyer.user_id, code=distributor.referral_code)
    assert CustomerBinding.objects.filter(customer_key=user_customer_key(buyer.user_id)).count() == 1
    assert not referral_touch_by_code(channel="cn", user_id=buyer.user_id, code="NO-SUCH")
    assert not referral_touch_by_code(
        channel="cn", user_id=distributor.user_id, code=distributor.referral_code
    )
    assert customer_bindings_forget(user_id=buyer.user_id) == 1
    assert not CustomerBinding.objects.filter(customer_key=user_customer_key(buyer.user_id)).exists()
