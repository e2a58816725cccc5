"""Fixtures of the saleor tier (imported by conftest only when Saleor is importable)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, TestCase
from saleor.tests.e2e.conftest import E2eApiClient  # noqa: F401 - Saleor's own in-process API client

from saleor_wechat_distribution.saleor_adapter import wiring

PLUGIN_PATH = "saleor_wechat_distribution.saleor_adapter.plugin.WeChatDistributionPlugin"


@pytest.fixture(autouse=True)
def _default_program_config(setup_dummy_gateway, settings):
    """Overrides the core suite's fixture of the same name: here the settings come from Saleor's plugin
    configuration, as in production; Saleor's test fixtures list only their dummy gateway (after it)."""
    settings.PLUGINS = [*settings.PLUGINS, PLUGIN_PATH]
    wiring._installed = False
    wiring.install()
    yield


def post_ours(client, channel: str, route: str, body: dict | None = None, method: str = "post", **extra):
    """A request to the plugin's route with the client's Saleor token, on-commit callbacks run."""
    url = f"/plugins/channel/{channel}/wechat.distribution/{route}"
    with TestCase.captureOnCommitCallbacks(execute=True):
        if method == "get":
            return super(Client, client).get(url, **extra)
        return super(Client, client).post(
            url, json.dumps(body or {}), content_type="application/json", **extra
        )
