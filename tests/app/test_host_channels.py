"""App mode's console channel picker (``programChannels``) lists Saleor's channels read through its API
(``app/channels.py``) beside the channels with a saved program."""

from __future__ import annotations

import pytest

from .conftest import gql

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]

QUERY = "{ programChannels { channel name currency configured } }"


def test_the_picker_lists_saleors_channels_and_the_saved_programs(app_mode, saleor, client, program):
    saleor.channels["usd-shop"] = ("US shop", "USD")
    token = saleor.token(5, is_staff=True, permissions=["MANAGE_PLUGINS"])
    answer = gql(client, QUERY, token=token).json()
    assert answer["data"]["programChannels"] == [
        {"channel": "default-channel", "name": "Default channel", "currency": "CNY", "configured": True},
        {"channel": "usd-shop", "name": "US shop", "currency": "USD", "configured": False},
    ]
    saleor.down = True  # the token's check is cached; the channels are not
    refused = gql(client, QUERY, token=token)
    assert refused.status_code == 200
    assert refused.json()["errors"][0]["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE"
