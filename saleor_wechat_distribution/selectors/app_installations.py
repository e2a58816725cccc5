"""Reads over the console App's installations (``models.SaleorAppInstallation``)."""

from __future__ import annotations

from ..models import SaleorAppInstallation


def app_installation_exists(*, app_id: str) -> bool:
    """Whether an App with this global id registered through our ``tokenTargetUrl``."""
    return SaleorAppInstallation.objects.filter(app_id=app_id).exists()
