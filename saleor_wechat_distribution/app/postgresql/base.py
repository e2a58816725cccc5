"""``ENGINE: saleor_wechat_distribution.app.postgresql``: before any cursor is handed out, the connection's
``search_path`` is made what the instance in scope needs (``instance_scope.search_path``), when it differs.

Every query of Django (ORM, raw SQL through ``connection.cursor()``, server-side cursors, migrations)
takes a cursor here, so no code path can forget the instance: an unscoped query sees the server's default
path, where a database App mode created has no table of the program (``app/schemas.py``): it fails
instead of reading some instance's rows.

What the connection has is tracked, not assumed: a fresh connection has the default; a pooled one is
unknown (it may have served another instance); a rollback (to a savepoint or of the transaction) may undo
a ``SET`` made inside it, so afterwards it is unknown again and the next cursor sets it. In a failed
transaction nothing is set (only the rollback can run; the cursor after it sets the path). A persistent
connection kept between requests (``CONN_MAX_AGE``) or tasks is therefore set again by the next one.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

from ...instance_scope import search_path

_UNKNOWN = object()
_IN_ERROR = TransactionStatus.INERROR
_DEFAULT = None  # the server's default path (``SET search_path TO DEFAULT``)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wd_search_path: object = _UNKNOWN

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        self._wd_search_path = _UNKNOWN if self.pool else _DEFAULT
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        wanted = search_path()
        # in a failed transaction only a rollback may run (Django's savepoint rollback takes a cursor): the
        # path is set by the next cursor after it
        if wanted != self._wd_search_path and self.connection.info.transaction_status != _IN_ERROR:
            with self.connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO {wanted}" if wanted else "SET search_path TO DEFAULT")
            self._wd_search_path = wanted
        return super().create_cursor(name)

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._wd_search_path = _UNKNOWN

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)
        finally:
            self._wd_search_path = _UNKNOWN

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._wd_search_path = _UNKNOWN
