"""The ``saleor`` tier: runs inside a Saleor environment (see README, "Running the saleor tier").

Elsewhere every test here is skipped, with the reason, before anything imports Saleor.
"""

from __future__ import annotations

import importlib.util

import pytest

SALEOR_AVAILABLE = importlib.util.find_spec("saleor") is not None and (
    importlib.util.find_spec("saleor.plugins") is not None
)
SKIP_REASON = (
    "needs Saleor: run inside Saleor's environment with DJANGO_SETTINGS_MODULE=saleor.tests.settings "
    "(README: Running the saleor tier)"
)


def pytest_ignore_collect(collection_path, config):
    # the test modules import saleor at the top: not even collected without it
    if (
        not SALEOR_AVAILABLE
        and collection_path.name.startswith("test_")
        and collection_path.name != "test_tier.py"
    ):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/saleor/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.saleor)


def pytest_report_header(config):
    if not SALEOR_AVAILABLE:
        return f"saleor tier: skipped ({SKIP_REASON})"
    return None


if SALEOR_AVAILABLE:
    # What Saleor's own root conftest does: its fixture modules, and Django's test cases on both of its
    # database aliases. Run ``pytest tests/saleor`` so that this conftest is an initial one.
    import django.test
    from django.conf import settings as _settings
    from saleor.tests.utils import prepare_test_db_connections

    _databases = {_settings.DATABASE_CONNECTION_DEFAULT_NAME, _settings.DATABASE_CONNECTION_REPLICA_NAME}
    django.test.TransactionTestCase.databases = _databases
    django.test.TestCase.databases = _databases
    prepare_test_db_connections()

    pytest_plugins = [
        "saleor.tests.fixtures", "saleor.app.tests.fixtures", "saleor.plugins.tests.fixtures",
        "saleor.graphql.tests.fixtures", "saleor.webhook.tests.fixtures", "saleor.tax.tests.fixtures",
        "saleor.channel.tests.fixtures", "saleor.page.tests.fixtures", "saleor.menu.tests.fixtures",
        "saleor.warehouse.tests.fixtures", "saleor.thumbnail.tests.fixtures", "saleor.order.tests.fixtures",
        "saleor.product.tests.fixtures", "saleor.site.tests.fixtures", "saleor.shipping.tests.fixtures",
        "saleor.permission.tests.fixtures", "saleor.giftcard.tests.fixtures",
        "saleor.discount.tests.fixtures", "saleor.checkout.tests.fixtures", "saleor.attribute.tests.fixtures",
        "saleor.account.tests.fixtures", "saleor.graphql.account.tests.fixtures",
        "saleor.payment.tests.fixtures", "saleor.webhook.tests.circuit_breaker.fixtures",
        "saleor.tests.e2e.conftest",
    ]  # fmt: skip

    from .saleor_fixtures import _default_program_config  # noqa: F401


@pytest.fixture
def shop_grants(
    permission_manage_discounts,
    e2e_staff_api_client,
    e2e_app_api_client,
    shop_permissions,
    permission_manage_product_types_and_attributes,
    permission_manage_orders,
    permission_manage_payments,
    permission_manage_plugins,
    permission_manage_users,
):
    """The permissions the tier's shops need: staff build the shop and configure the plugin, the app pays."""
    from saleor.tests.e2e.utils import assign_permissions

    assign_permissions(
        e2e_staff_api_client,
        [
            *shop_permissions,
            permission_manage_product_types_and_attributes,
            permission_manage_orders,
            permission_manage_payments,
            permission_manage_plugins,
            permission_manage_users,
            permission_manage_discounts,
        ],
    )
    assign_permissions(e2e_app_api_client, [permission_manage_payments, permission_manage_orders])
