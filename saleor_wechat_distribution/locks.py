"""Advisory locks in our own namespace.

The tree lock: every write that depends on a node's place in the tree (an insert, a status change that
updates ancestors' team counts) takes it *shared*, so such writes never block each other; a subtree move
takes it *exclusive*, so no insert lands under a path that is being rewritten. On SQLite (the sandbox)
writes are already serialised by the database, so the locks are no-ops.

Advisory locks are the database's, not a schema's: in App mode a name is taken within the instance in
scope (``instance_scope``), so one shop's subtree move never waits for, or blocks, another shop's tree.
"""

from __future__ import annotations

import zlib

from django.db import connection

from . import instance_scope

_NAMESPACE = 0x57C1  # "WeChat distribution"; keeps our keys apart from Saleor's own advisory locks


def _key(name: str, *, across_instances: bool = False) -> int:
    schema = None if across_instances else instance_scope.current()
    scoped = f"{schema}:{name}" if schema else name
    return zlib.crc32(scoped.encode()) & 0x7FFFFFFF  # int4, as pg_advisory_*(int, int) takes


def _lock(name: str, *, shared: bool, across_instances: bool = False) -> None:
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("advisory transaction locks must be taken inside transaction.atomic()")
    func = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {func}(%s, %s)", [_NAMESPACE, _key(name, across_instances=across_instances)])


def tree_write_shared() -> None:
    _lock("distributor-tree", shared=True)


def tree_write_exclusive() -> None:
    _lock("distributor-tree", shared=False)


def named_exclusive(name: str, *, across_instances: bool = False) -> None:
    """Serialise one named critical section across processes; ``across_instances``: across App mode's
    instances too (a WeChat app's token refresh: the token is the app's, shared by the instances using
    it)."""
    _lock(name, shared=False, across_instances=across_instances)
