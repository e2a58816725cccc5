"""One PostgreSQL schema per Saleor instance: where App mode keeps each instance's rows.

Layout of App mode's database:

- ``public``: the registry of installations (``SaleorAppInstallation``: API URL, sealed token, JWKS, the
  schema), what Open Platform components keep for every instance they serve (``ComponentTicket``,
  ``OfficialAccountRoute``: ``wechat_routes.py``) and Django's own tables. In a
  database created by App mode, nothing else: a query made outside any instance finds no table of the
  program holding an instance's rows and fails, it never reads some instance's rows.
- ``wd_<key>``: one per installed instance (``key`` = the first 16 hex digits of the SHA-256 of its API
  URL, so a reinstallation finds its rows again), with every table of the program and its own
  ``django_migrations``. Created and migrated when the instance registers (``/api/register``), migrated
  again by every ``migrate`` (``migrate_instance_schemas``, run after the public one).
- ``public`` as an instance's schema: a database whose ``public`` already holds the program's tables
  (App mode before schemas; Saleor's own database when a plugin-mode program moves to App mode: README)
  keeps them there for one instance: the installations made before (migration 0020), or else the first one
  to register.

Connections follow the instance in scope (``instance_scope``) through App mode's database backend
(``app/postgresql``): ``SET search_path TO "wd_<key>", public``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from ..instance_scope import PUBLIC, checked, exact_search_path, scoped
from ..models import SaleorAppInstallation

logger = logging.getLogger(__name__)

APP_LABEL = "wechat_distribution"
#: models of the registry: in public only, never in an instance's schema. Besides the installations, what
#: one Open Platform component shared by several instances keeps once for all of them: its verify ticket,
#: and which instance holds each Official Account (``wechat_routes.py``)
REGISTRY_MODELS = frozenset({"saleorappinstallation", "componentticket", "officialaccountroute"})
#: a table every instance schema has (the program's first): its presence in public means public holds an
#: instance's rows
PROBE_TABLE = "wechat_distribution_distributor"
#: PostgreSQL advisory lock keys: schema migrations, and registrations (choosing a schema, then writing
#: the row), each one at a time across processes
_MIGRATE_LOCK = 0x77645F736368  # "wd_sch"
_REGISTER_LOCK = 0x77645F726567  # "wd_reg"


@contextmanager
def registrations_one_at_a_time() -> Iterator[None]:
    """Two instances registering at once must not both take ``public`` (``schema_of_new_installation``)."""
    with scoped(None), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_REGISTER_LOCK])
    try:
        yield
    finally:
        with scoped(None), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_REGISTER_LOCK])


def schema_for(api_url: str) -> str:
    return "wd_" + hashlib.sha256(api_url.encode()).hexdigest()[:16]


def public_holds_instance_tables() -> bool:
    with scoped(None), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{PUBLIC}.{PROBE_TABLE}"])
        return bool(cursor.fetchone()[0])


def schema_of_new_installation(api_url: str) -> str:
    """``public`` when it holds the program's tables and no installation has it yet; else the URL's own."""
    existing = SaleorAppInstallation.objects.filter(saleor_api_url=api_url).values_list("schema", flat=True)
    for schema in existing:
        if schema:
            return schema
    # public is taken by a trusted installation (an untrusted one, e.g. plugin mode's console registered
    # under another URL, is never served: its claim does not count)
    allowed = getattr(settings, "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS", None) or []
    claims = SaleorAppInstallation.objects.filter(schema=PUBLIC)
    if allowed:
        claims = claims.filter(saleor_api_url__in=allowed)
    if not claims.exists() and public_holds_instance_tables():
        return PUBLIC
    return schema_for(api_url)


#: the instance schema being migrated (the router's question: which tables go there?)
_migrating: ContextVar[str | None] = ContextVar("wd_migrating_schema", default=None)


def _migrating_schema() -> str | None:
    return _migrating.get()


def migrate_schema(schema: str, *, verbosity: int = 0) -> None:
    """Create ``schema`` if needed and apply every migration of the program to it (idempotent)."""
    checked(schema)
    if schema == PUBLIC:
        return  # public is migrated by the ordinary ``migrate``
    with transaction.atomic(), scoped(None):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATE_LOCK])
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            # pg_trgm's operator classes must be where every schema sees them (migration 0016)
            cursor.execute("SAVEPOINT wd_trgm")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
            except Exception:
                cursor.execute("ROLLBACK TO SAVEPOINT wd_trgm")
        # the schema's own migration history, made while public's is out of sight
        with exact_search_path(f'"{schema}"'):
            MigrationRecorder(connection).ensure_schema()
        token = _migrating.set(schema)
        try:
            with exact_search_path(f'"{schema}", {PUBLIC}'):
                call_command("migrate", APP_LABEL, interactive=False, verbosity=verbosity)
        finally:
            _migrating.reset(token)


def migrate_instance_schemas(*, verbosity: int = 0) -> list[str]:
    """Every installed instance's schema brought up to date (``migrate`` does it after public's)."""
    with scoped(None):
        schemas = sorted(
            set(
                SaleorAppInstallation.objects.exclude(schema__in=("", PUBLIC)).values_list(
                    "schema", flat=True
                )
            )
        )
    for schema in schemas:
        migrate_schema(schema, verbosity=verbosity)
        if verbosity:
            logger.info("migrated the instance schema %s", schema)
    return schemas


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver (App mode): after public's migrations, every instance schema's."""
    if getattr(sender, "label", None) != APP_LABEL or _migrating_schema() is not None:
        return
    migrate_instance_schemas(verbosity=int(kwargs.get("verbosity") or 0))


class InstanceSchemaRouter:
    """``DATABASE_ROUTERS``: which tables a migration creates where.

    In an instance's schema: the program's tables, not the registry's nor other apps' (those are found in
    public behind it). In public: everything where public holds an instance's tables (or outside App mode);
    else the registry and Django's tables only (``WECHAT_DISTRIBUTION_INSTANCE_SCHEMAS``, App mode)."""

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        if _migrating_schema() is not None:
            return app_label == APP_LABEL and model_name not in REGISTRY_MODELS
        if app_label != APP_LABEL or model_name in REGISTRY_MODELS:
            return True
        if not getattr(settings, "WECHAT_DISTRIBUTION_INSTANCE_SCHEMAS", False):
            return True
        return public_holds_instance_tables()
