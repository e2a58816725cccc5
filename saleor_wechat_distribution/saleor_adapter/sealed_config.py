"""Secrets of the plugin configuration sealed at rest (Saleor-free, so the core's suite covers it).

Saleor keeps a plugin's configuration as JSON in its ``PluginConfiguration`` table, secrets included, in
plaintext. The plugin seals every secret field (``Secret`` / ``SecretMultiline``) with the core's sealing
(:mod:`..sealing`, the key from ``WECHAT_DISTRIBUTION_SECRET_KEY``) just before Saleor saves the row
(``pre_save_plugin_configuration``), and :func:`unseal_value` opens them whenever the configuration is
parsed. A sealed value carries :data:`SEALED_PREFIX`; a value without it is a plaintext one saved before
sealing existed: it keeps working and is sealed on the next save (lazy migration).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, MutableMapping
from typing import Any

from ..sealing import SealingError, seal, unseal

logger = logging.getLogger(__name__)
SEALED_PREFIX = "wdsealed:v1:"


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def seal_value(value: Any) -> Any:
    """Seal a non-empty plaintext string; sealed, empty or non-string values are returned as they are."""
    if not isinstance(value, str) or not value or is_sealed(value):
        return value
    return SEALED_PREFIX + seal(value)


def unseal_value(value: Any) -> Any:
    """The plaintext of a sealed value (any other value unchanged). A value that no longer opens (the key
    was changed) reads as empty, so the form asks for it again instead of failing every hook."""
    if not is_sealed(value):
        return value
    try:
        return unseal(value[len(SEALED_PREFIX) :])
    except SealingError:
        logger.error("a sealed WeChat distribution secret could not be opened (was the key changed?)")
        return ""


def shown_secret(stored: Any) -> str | None:
    """What the dashboard shows of a secret field: what Saleor shows of a secret
    (``hide_private_configuration_fields``: the last 4 characters, the last one of a value of 4 or
    fewer), but of the secret itself, not of its sealed text; None when empty or no longer readable. The
    plaintext lives only in this call."""
    plain = unseal_value(stored)
    plain = plain.strip() if isinstance(plain, str) else ""  # a pasted PEM's last line break is no secret
    if not plain:
        return None
    return plain[-4:] if len(plain) > 4 else plain[-1:]


def seal_items(items: Iterable[MutableMapping[str, Any]], secret_names: frozenset[str]) -> int:
    """Seal, in place, the values of the secret fields among Saleor's ``{"name", "value"}`` items;
    return how many were sealed now."""
    sealed = 0
    for item in items:
        if item.get("name") in secret_names and not is_sealed(item.get("value")) and item.get("value"):
            item["value"] = seal_value(item["value"])
            sealed += 1
    return sealed
