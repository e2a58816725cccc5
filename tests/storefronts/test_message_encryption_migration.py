"""Migration 0011 gives every existing Official Account the safest message encryption mode that keeps it
working (see the migration's docstring for why)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APP = "wechat_distribution"
BEFORE = (APP, "0010_network_staging")
AFTER = (APP, "0011_account_message_encryption")


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_get_the_safest_mode_that_keeps_them_working():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        account = old.get_model(APP, "OfficialAccount")
        event = old.get_model(APP, "InboundEvent")
        sealed = "gAAAAA-a-sealed-key"  # any non-empty value: the migration does not open it
        rows = {
            "wxcomponent000001": {"mode": "component"},
            "wxplain0000000001": {"mode": "credentials"},
            "wxnoevents0000001": {"mode": "credentials", "aes_key_sealed": sealed},
            "wxencrypted000001": {"mode": "credentials", "aes_key_sealed": sealed},
            "wxstillplain00001": {"mode": "credentials", "aes_key_sealed": sealed},
            "wxswitched0000001": {"mode": "credentials", "aes_key_sealed": sealed},
        }
        for app_id, values in rows.items():
            account.objects.create(app_id=app_id, **values)
        history = [
            ("wxencrypted000001", {"encrypt_type": "aes"}),
            ("wxstillplain00001", {"encrypt_type": "aes"}),
            ("wxstillplain00001", {}),  # the last message came in plaintext: WeChat is in plain mode
            ("wxswitched0000001", {}),
            ("wxswitched0000001", {"encrypt_type": "aes"}),  # switched to safe since
            ("wxplain00000000010", {}),  # another app id sharing a prefix is not this account's
        ]
        for number, (app_id, query) in enumerate(history):
            event.objects.create(
                source="wechat.mp", dedupe_key=f"mp:{app_id}:msg:{number}", headers=query, body=""
            )
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps.get_model(APP, "OfficialAccount")
        modes = dict(new.objects.values_list("app_id", "message_encryption"))
        assert modes == {
            "wxcomponent000001": "safe",
            "wxplain0000000001": "plain",
            "wxnoevents0000001": "safe",
            "wxencrypted000001": "safe",
            "wxstillplain00001": "compatible",
            "wxswitched0000001": "safe",
        }
    finally:
        MigrationExecutor(connection).migrate(latest)
