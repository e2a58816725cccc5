"""Saleor's plugin form beside the console's program page, inside a real Saleor: the dashboard shows the
program as the console left it, and a later form save does not undo the console's edits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from saleor.graphql.tests.utils import get_graphql_content

from saleor_wechat_distribution.models import ChannelProgram, CommissionRule
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.saleor_adapter import config
from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin
from saleor_wechat_distribution.services.programs import (
    RuleInput,
    channel_program_update,
    commission_rules_set,
)

from .test_dashboard_and_storefront import PLUGIN, _shown
from .test_in_saleor import plugin_update, shop  # noqa: F401 - shop: a fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

CONSOLE = Principal(user_id=1, is_staff=True)


def test_the_form_shows_and_keeps_what_the_console_changed(shop, e2e_staff_api_client):  # noqa: F811
    channel = shop["channel"]
    slug = channel["slug"]
    saved = plugin_update(
        e2e_staff_api_client, channel["id"], commission_depth=2, commission_rate_level_1="10",
        commission_rate_level_2="5", freeze_days="7", binding_validity_days="365",
    )  # fmt: skip
    assert saved["errors"] == []

    # the console's program page saves (channelProgramUpdate, commissionRulesSet)
    channel_program_update(
        actor=CONSOLE, channel=slug, changes={"binding_validity_days": 30, "auto_approve_distributors": True}
    )
    commission_rules_set(
        actor=CONSOLE,
        channel=slug,
        rules=[RuleInput(level=1, rate=Decimal("12")), RuleInput(level=2, rate=Decimal("4"))],
    )

    queried = get_graphql_content(
        e2e_staff_api_client.post_graphql(PLUGIN, {"id": WeChatDistributionPlugin.PLUGIN_ID})
    )["data"]["plugin"]
    shown = _shown(queried, slug)
    assert shown["binding_validity_days"]["value"] == "30"
    assert shown["auto_approve"]["value"] == "true"  # Saleor's API shows a Boolean item as text
    rates = (shown["commission_rate_level_1"]["value"], shown["commission_rate_level_2"]["value"])
    assert rates == ("12", "4")
    assert shown["freeze_days"]["value"] == "7"

    # a form save of another setting (the stored items are stale) keeps the console's edits
    saved = plugin_update(e2e_staff_api_client, channel["id"], storefront_base_url="https://m.example.com")
    assert saved["errors"] == []
    program = ChannelProgram.objects.get(channel=slug)
    assert program.storefront_base_url == "https://m.example.com"
    assert (program.binding_validity_days, program.auto_approve_distributors) == (30, True)
    rates = sorted((r.level, r.rate) for r in CommissionRule.objects.filter(channel=slug))
    assert rates == [(1, Decimal("12")), (2, Decimal("4"))]

    # the dashboard posts the whole form as it showed it (secrets left out), with one field changed:
    # that one changes, the console's edits stay
    form = {name: item["value"] for name, item in shown.items() if name not in config.SECRET_NAMES}
    form = {name: ("" if value is None else value) for name, value in form.items()}
    form |= {"freeze_days": "9", "storefront_base_url": "https://m.example.com"}
    assert plugin_update(e2e_staff_api_client, channel["id"], **form)["errors"] == []
    program = ChannelProgram.objects.get(channel=slug)
    assert (program.freeze_days, program.binding_validity_days, program.auto_approve_distributors) == (
        9,
        30,
        True,
    )
    rates = sorted((r.level, r.rate) for r in CommissionRule.objects.filter(channel=slug))
    assert rates == [(1, Decimal("12")), (2, Decimal("4"))]
