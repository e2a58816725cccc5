"""Saleor's permission codes that our staff operations require (DESIGN.md §2)."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_ORDERS = "MANAGE_ORDERS"
    MANAGE_DISCOUNTS = "MANAGE_DISCOUNTS"
    MANAGE_PLUGINS = "MANAGE_PLUGINS"
