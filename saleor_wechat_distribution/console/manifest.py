"""The Saleor App manifest of the console (``app/manifest.json``).

Saleor fetches it when the App is installed (the dashboard's "install external app", or ``manage.py
install_app <manifest URL>``) and validates it (``saleor/app/manifest_validations.py``): the App's
permissions, the extensions (mount, target, relative URL under ``appUrl``, permissions within the App's),
and ``tokenTargetUrl``, where Saleor then posts the App's token (:mod:`.register`).

Saleor sends its schema version (``Saleor-Schema-Version: 3.22``) with the request: an extension whose
mount or target that version does not know (widgets need 3.22) is left out for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import metadata
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from ..domain.permissions import Permission
from .pages import PAGES

#: the App's identifier in Saleor (``App.identifier``): our route accepts AppBridge tokens of this App only
APP_IDENTIFIER = "wechat.distribution"
APP_NAME = "WeChat distribution"
#: MANAGE_PLUGINS: the program page edits the program's settings and commission rules (under Saleor, the
#: plugin's configuration, which that permission guards)
APP_PERMISSIONS = (
    Permission.MANAGE_USERS,
    Permission.MANAGE_ORDERS,
    Permission.MANAGE_DISCOUNTS,
    Permission.MANAGE_PLUGINS,
)
REQUIRED_SALEOR_VERSION = ">=3.20"
DISTRIBUTION = "saleor-wechat-distribution"

#: paths under the host's prefix (the plugin's route, or the sandbox's root)
MANIFEST_PATH = "app/manifest.json"
REGISTER_PATH = "app/register/"
CONSOLE_PATH = "console/"
LOGO_PATH = "console/logo.png"

_SCHEMA_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")


def package_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a source tree on sys.path without an install
        return "0.0.0"


def schema_version(header: str | None) -> tuple[int, int] | None:
    """``"3.22"`` -> (3, 22); None when absent or unreadable (then every extension is listed)."""
    match = _SCHEMA_VERSION.match(header or "")
    return (int(match[1]), int(match[2])) if match else None


def build_manifest(
    *, prefix: str, absolute: Callable[[str], str], saleor_version: tuple[int, int] | None, language: str
) -> dict[str, Any]:
    """The manifest, its URLs made absolute from the host's ``prefix`` (the path that ``app/`` and
    ``console/`` follow); labels in ``language`` (the dashboard shows them as given)."""
    with translation.override(language):
        extensions = [
            {
                "label": gettext(str(page.label)),
                "mount": page.mount,
                "target": page.target,
                "permissions": [p.value for p in page.permissions],
                "url": f"/{page.slug}/",  # relative: Saleor resolves it under appUrl
            }
            for page in PAGES
            if saleor_version is None or saleor_version >= page.since
        ]
        about = gettext(
            "WeChat social distribution for Saleor: distributors, referral attribution, commissions, "
            "storefronts on Official Accounts and card-pack coupons."
        )
    return {
        "id": APP_IDENTIFIER,
        "version": package_version(),
        "name": APP_NAME,
        "about": about,
        "author": "saleor-wechat-distribution",
        "permissions": [p.value for p in APP_PERMISSIONS],
        "appUrl": absolute(prefix + CONSOLE_PATH),
        "tokenTargetUrl": absolute(prefix + REGISTER_PATH),
        "requiredSaleorVersion": REQUIRED_SALEOR_VERSION,
        "brand": {"logo": {"default": absolute(prefix + LOGO_PATH)}},
        "extensions": extensions,
        "webhooks": [],
    }
