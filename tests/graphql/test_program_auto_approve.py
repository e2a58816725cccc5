"""Distributor auto-approval as a program setting: the console's program page sets it per channel
(channelProgramUpdate), the host's settings form too (sync_program); until either does, the host's
setting (``conf.ProgramConfig``) decides."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.conf import ProgramConfig
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import ChannelProgram
from saleor_wechat_distribution.saleor_adapter.program_sync import sync_program
from saleor_wechat_distribution.services.distributors import distributor_apply
from saleor_wechat_distribution.testing.factories import customer, staff

from .conftest import Gql

pytestmark = pytest.mark.django_db

CHANNEL = "cn"
READ = "query($c: String!) { channelProgram(channel: $c) { autoApproveDistributors version } }"
UPDATE = """mutation($c: String!, $on: Boolean) {
  channelProgramUpdate(channel: $c, input: {autoApproveDistributors: $on}) {
    channelProgram { autoApproveDistributors version } errors { field code message }
  }
}"""


@pytest.fixture
def host_says_no():
    host.update(program_config=lambda channel: ProgramConfig(auto_approve=False))  # restored after each test


def apply(user_id: int, channel: str | None = CHANNEL) -> str:
    return distributor_apply(principal=customer(user_id), display_name=f"n{user_id}", channel=channel).status


def test_the_console_turns_auto_approval_on_for_its_channel(gql: Gql, host_says_no):
    admin = staff(Permission.MANAGE_PLUGINS)
    assert gql(READ, {"c": CHANNEL}, admin)["data"]["channelProgram"]["autoApproveDistributors"] is False
    assert apply(1) == "pending", "the host's setting, until staff set it"

    answer = gql(UPDATE, {"c": CHANNEL, "on": True}, admin)["data"]["channelProgramUpdate"]
    assert answer["errors"] == [] and answer["channelProgram"]["autoApproveDistributors"] is True
    program = ChannelProgram.objects.get(channel=CHANNEL)
    assert program.auto_approve_distributors is True and program.updated_by == f"staff:{admin.user_id}"
    assert apply(2) == "active"
    assert apply(3, channel="another") == "pending", "another channel keeps the host's setting"
    assert apply(4, channel=None) == "pending"

    answer = gql(UPDATE, {"c": CHANNEL, "on": False}, admin)["data"]["channelProgramUpdate"]
    assert answer["channelProgram"]["autoApproveDistributors"] is False
    assert apply(5) == "pending"


def test_staff_without_manage_plugins_cannot_change_it(gql: Gql):
    answer = gql(UPDATE, {"c": CHANNEL, "on": True}, staff(Permission.MANAGE_USERS))
    assert answer["data"]["channelProgramUpdate"] is None
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert not ChannelProgram.objects.filter(channel=CHANNEL, auto_approve_distributors=True).exists()


def test_the_hosts_settings_form_sets_it_too(host_says_no):
    items = [{"name": "commission_rate_level_1", "value": "10"}, {"name": "auto_approve", "value": True}]
    sync_program(CHANNEL, "CNY", items)
    assert ChannelProgram.objects.get(channel=CHANNEL).auto_approve_distributors is True
    assert apply(1) == "active"
