"""Saleor's permission codes that our staff operations require: staff are Saleor's staff users, with
Saleor's permissions (no roles of our own)."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_ORDERS = "MANAGE_ORDERS"
    MANAGE_DISCOUNTS = "MANAGE_DISCOUNTS"
    MANAGE_PLUGINS = "MANAGE_PLUGINS"
