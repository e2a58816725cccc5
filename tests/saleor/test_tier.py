import pytest

from .conftest import SALEOR_AVAILABLE, SKIP_REASON


def test_saleor_tier_runs_or_says_why():
    if not SALEOR_AVAILABLE:
        pytest.skip(SKIP_REASON)
    from django.conf import settings

    assert "saleor.plugins" in settings.INSTALLED_APPS, (
        "run with DJANGO_SETTINGS_MODULE=saleor.tests.settings"
    )
