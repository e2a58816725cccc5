"""The plugin's settings form beside the API (the console's program page): the form shows the program as
it is now, and a save copies only what it changed, so neither editor silently undoes the other."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import ChannelProgram, CommissionRule
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.saleor_adapter import config
from saleor_wechat_distribution.saleor_adapter.program_form import form_changes, program_form_values
from saleor_wechat_distribution.saleor_adapter.program_sync import sync_program
from saleor_wechat_distribution.services.programs import (
    RuleInput,
    channel_program_update,
    commission_rules_set,
)

pytestmark = pytest.mark.django_db

CONSOLE = Principal(user_id=7, is_staff=True)


def items(**values):
    return [{"name": k, "value": v} for k, v in values.items()]


def saved_form() -> list[dict]:
    form = items(commission_depth="2", commission_rate_level_1="10", commission_rate_level_2="5",
                 freeze_days="7", binding_validity_days="365", auto_approve=False)  # fmt: skip
    sync_program("cn", "CNY", form)
    return form


def console_edits() -> None:
    channel_program_update(
        actor=CONSOLE,
        channel="cn",
        changes={"binding_validity_days": 30, "auto_approve_distributors": True, "freeze_days": 3},
    )
    commission_rules_set(
        actor=CONSOLE,
        channel="cn",
        rules=[
            RuleInput(level=1, rate=Decimal("12.5")),
            RuleInput(level=2, rate=Decimal("4")),
            RuleInput(level=1, rate=Decimal("20"), product_id="UHJvZHVjdDo3"),
        ],
    )


def test_the_form_shows_the_program_as_the_console_left_it():
    form = saved_form()
    console_edits()
    current = program_form_values("cn")
    shown = {i["name"]: i["value"] for i in config.dashboard_items(form, form, "CNY", current)}
    assert shown["freeze_days"] == "3" and shown["binding_validity_days"] == "30"
    assert shown["auto_approve"] is True
    assert (shown["commission_rate_level_1"], shown["commission_rate_level_2"]) == ("12.5", "4")
    assert shown["commission_depth"] == "2"
    # what the form shows parses back to the same program: saving it unchanged changes nothing
    before = ChannelProgram.objects.values().get(channel="cn")
    shown_items = items(**{k: v for k, v in shown.items() if k in config.SPECS})
    sync_program("cn", "CNY", shown_items, changed=form_changes(form, shown_items))
    assert ChannelProgram.objects.values().get(channel="cn") == before
    assert program_form_values("nowhere") == {}


def test_a_save_copies_only_what_it_changed():
    form = saved_form()
    console_edits()
    edited = [dict(i) for i in form]  # the stored items: stale since the console's edits
    edited.append({"name": "storefront_base_url", "value": "https://m.example.com"})
    changed = form_changes(form, edited)
    assert changed == {"storefront_base_url"}
    sync_program("cn", "CNY", edited, actor=Principal(app_id=3, is_staff=True), changed=changed)
    program = ChannelProgram.objects.get(channel="cn")
    assert program.storefront_base_url == "https://m.example.com"
    # the console's edits survive the form's stale items
    assert (program.binding_validity_days, program.freeze_days) == (30, 3)
    assert program.auto_approve_distributors is True
    assert sorted((r.level, r.rate, r.product_id) for r in CommissionRule.objects.filter(channel="cn")) == [
        (1, Decimal("12.5"), None), (1, Decimal("20"), "UHJvZHVjdDo3"),
        (2, Decimal("4"), None),
    ]  # fmt: skip

    # a rate the form changes is copied (the level defaults), the product rule stays
    rated = [dict(i) for i in edited]
    next(i for i in rated if i["name"] == "commission_rate_level_1")["value"] = "9"
    sync_program("cn", "CNY", rated, changed=form_changes(edited, rated))
    rules = sorted((r.level, r.rate, r.product_id) for r in CommissionRule.objects.filter(channel="cn"))
    assert rules == [(1, Decimal("9"), None), (1, Decimal("20"), "UHJvZHVjdDo3"), (2, Decimal("5"), None)]
    assert ChannelProgram.objects.get(channel="cn").binding_validity_days == 30


def test_the_first_save_copies_everything():
    form = items(
        commission_depth="1", commission_rate_level_1="8", commission_rate_level_2="", freeze_days="9"
    )
    sync_program("cn", "CNY", form, changed=form_changes([], form))
    program = ChannelProgram.objects.get(channel="cn")
    assert (program.commission_depth, program.freeze_days, program.binding_validity_days) == (1, 9, 365)
    assert form_changes(form, form) == set()
    later = [dict(i) for i in form]
    next(i for i in later if i["name"] == "freeze_days")["value"] = "2"
    assert form_changes(form, later) == {"freeze_days"}
