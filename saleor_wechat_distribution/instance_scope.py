"""The Saleor instance the current work belongs to (App mode: one PostgreSQL schema per instance).

App mode serves several Saleor instances from one server; each installation's rows live in a schema of
their own (``app/schemas.py``), so every row, every unique key and every hand-written SQL statement of the
core is scoped without naming the instance. What is "current" lives here, in a context variable:

- set by App mode at every entry: a request (``app/requests.py``: the token's issuer, the webhook's
  ``Saleor-Api-Url``, the ``/i/<key>/`` prefix of a WeChat callback), a Celery task (the ``wd_instance``
  header every message sent inside a scope carries: ``app/task_scope.py``);
- read by App mode's database backend (``app/postgresql``), which sets the connection's ``search_path``
  before any cursor is used whenever it differs, by the cache's key function (:func:`cache_key`), and by
  the few in-process caches of the core (``services/commissions``' rules).

Outside any scope (plugin mode, the sandbox, App mode's own registry of installations) nothing changes:
the connection keeps its default ``search_path``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PUBLIC = "public"
#: ``public`` (an instance whose rows were there before schemas: ``app/schemas.py``) or ``wd_`` + a key
SCHEMA_NAME = re.compile(r"^(public|wd_[a-z0-9]{1,40})$")

_schema: ContextVar[str | None] = ContextVar("wd_instance_schema", default=None)
#: the exact ``search_path`` while migrating a schema (``app/schemas.py``), else None
_path_override: ContextVar[str | None] = ContextVar("wd_search_path_override", default=None)


class BadSchemaName(ValueError):
    pass


def checked(schema: str) -> str:
    """``schema`` if it is a schema name of ours (it is quoted into SQL: nothing else may pass)."""
    if not isinstance(schema, str) or not SCHEMA_NAME.match(schema):
        raise BadSchemaName(f"not an instance schema name: {schema!r}")
    return schema


def current() -> str | None:
    """The schema of the instance in scope, or None (no instance: plugin mode, the registry)."""
    return _schema.get()


@contextmanager
def scoped(schema: str | None) -> Iterator[str | None]:
    """Run the block for the instance whose rows live in ``schema`` (None: outside any instance)."""
    token = _schema.set(checked(schema) if schema is not None else None)
    try:
        yield schema
    finally:
        _schema.reset(token)


@contextmanager
def exact_search_path(path: str) -> Iterator[None]:
    """Migrations only: ``path`` as the connection's whole ``search_path`` (``app/schemas.py``)."""
    token = _path_override.set(path)
    try:
        yield
    finally:
        _path_override.reset(token)


def search_path() -> str | None:
    """The ``search_path`` the connection must have now; None = the server's default (no scope)."""
    override = _path_override.get()
    if override is not None:
        return override
    schema = _schema.get()
    if schema is None:
        return None
    # the installation registry (and Django's own tables) stay in public, behind the instance's schema
    return PUBLIC if schema == PUBLIC else f'"{schema}", {PUBLIC}'


#: in a URL of the server's settings (WeChat Pay's ``notify_url``): the instance in scope's key, so that one
#: merchant configured for the server sends each instance's notifications to its ``/i/<key>/`` routes
URL_PLACEHOLDER = "{instance}"


def with_instance(values: dict, field: str = "notify_url") -> dict:
    """``values`` with :data:`URL_PLACEHOLDER` in ``values[field]`` replaced by the instance in scope."""
    url = values.get(field)
    schema = _schema.get()
    if not isinstance(url, str) or URL_PLACEHOLDER not in url or schema is None:
        return values
    return values | {field: url.replace(URL_PLACEHOLDER, schema)}


#: Cache keys that belong to a WeChat app, not to an instance: wechatpy's access tokens and tickets, each
#: named by its app id. WeChat keeps one valid access token per app (fetching a new one retires the old
#: one within minutes), so instances that share an app (the server's Mini Program, one Open Platform
#: component) must share its token; kept per instance, each would keep retiring the others'.
SHARED_CACHE_PREFIXES = ("wd:wechatpy:",)


def cache_key(key: str, key_prefix: str, version: int) -> str:
    """Django cache ``KEY_FUNCTION`` (App mode): the instance's schema in every key made in its scope, so
    cached per-instance data (replayed nonces, counters, import progress) never answers for another
    instance; a WeChat app's tokens (:data:`SHARED_CACHE_PREFIXES`) are the app's, whichever instance
    uses it."""
    schema = _schema.get()
    if schema and not key.startswith(SHARED_CACHE_PREFIXES):
        return f"{key_prefix}:{version}:{schema}:{key}"
    return f"{key_prefix}:{version}:{key}"
