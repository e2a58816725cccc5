"""How GraphQL errors reach the server log: one line for what the client got wrong, a traceback only for
what we got wrong.

- An expected error (a coded ``QueryError`` such as ``PermissionDenied``, a validation or syntax error, a
  request over a limit, a mutation's coded error) is one INFO line:
  ``GraphQL error code=<code> path=<field path> operation=<name> user=<id>``.
- Anything else is an ERROR with its traceback, under an error id that the client also gets
  (``extensions.errorId``): ``GraphQL unexpected error error_id=<id> path=... operation=... user=...``.

graphql-core 2 logs every exception a resolver raises, twice and with a traceback, through its own
loggers (``graphql.execution.executor`` and ``graphql.execution.utils``), expected or not. While one of
our requests executes, ``QuietGraphQLCore`` drops those records: the lines above replace them. The host's
own GraphQL (Saleor's, which silences these loggers in its settings) is not affected.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

logger = logging.getLogger("saleor_wechat_distribution.graphql")

GRAPHQL_CORE_LOGGERS = ("graphql.execution.executor", "graphql.execution.utils")
_executing: ContextVar[bool] = ContextVar("wd_graphql_executing", default=False)


class QuietGraphQLCore(logging.Filter):
    """Drops graphql-core's own error records while our view executes a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _executing.get()


def install() -> None:
    """Attach ``QuietGraphQLCore`` to graphql-core's loggers (``apps.ready``; idempotent)."""
    for name in GRAPHQL_CORE_LOGGERS:
        core_logger = logging.getLogger(name)
        if not any(isinstance(f, QuietGraphQLCore) for f in core_logger.filters):
            core_logger.addFilter(QuietGraphQLCore())


@contextmanager
def executing() -> Iterator[None]:
    token = _executing.set(True)
    try:
        yield
    finally:
        _executing.reset(token)


@dataclass(frozen=True)
class RequestLog:
    """What every line of one request names."""

    operation: str = "-"
    user: str = "anonymous"

    def expected(self, code: str, path: object = None) -> None:
        logger.info(
            "GraphQL error code=%s path=%s operation=%s user=%s", code, _path(path), self.operation, self.user
        )

    def unexpected(self, error: BaseException, path: object = None) -> str:
        """Log ``error`` with its traceback; the error id to give the client."""
        error_id = uuid.uuid4().hex
        logger.error(
            "GraphQL unexpected error error_id=%s path=%s operation=%s user=%s",
            error_id,
            _path(path),
            self.operation,
            self.user,
            exc_info=(type(error), error, error.__traceback__),
        )
        return error_id


def _path(path: object) -> str:
    if not path:
        return "-"
    if isinstance(path, (list, tuple)):
        return ".".join(str(part) for part in path)
    return str(path)
