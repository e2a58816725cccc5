"""Database set-up the benchmarks share: a dedicated database, Django on it, bulk-load helpers."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def bench_database(name: str) -> str:
    """``name`` behind the ``WD_BENCH_DB_PREFIX`` environment variable (empty by default), so runs that
    share one server (several checkouts, CI jobs) never drop each other's database."""
    return os.environ.get("WD_BENCH_DB_PREFIX", "") + name


def recreate_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str) -> None:
    """Django (the sandbox's settings) on ``database_url``, migrated."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "saleor_wechat_distribution.sandbox.settings"
    os.environ["SANDBOX_DEBUG"] = "0"  # DEBUG would record every query
    repo = str(Path(__file__).resolve().parent.parent)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def drop_secondary_indexes(conn: psycopg.Connection[Any], table: str) -> list[sql.Composable]:
    """Drop every constraint and index of ``table`` but its primary key; return what recreates them."""
    ident = sql.Identifier(table)
    constraints = conn.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c', 'x') ORDER BY contype DESC, conname",
        [table],
    ).fetchall()
    indexes = conn.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary"
        " AND i.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)"
        " ORDER BY c.relname",
        [table, table],
    ).fetchall()
    restore: list[sql.Composable] = [sql.SQL(definition) for _, definition in indexes]
    for name, _, definition in reversed(constraints):
        add = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}")
        restore.append(add.format(ident, sql.Identifier(name), sql.SQL(definition)))
    for name, _, _ in constraints:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(ident, sql.Identifier(name)))
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return restore
