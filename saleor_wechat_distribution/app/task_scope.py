"""Celery tasks run in the schema of the instance that queued them.

- Sending: every message published inside an instance's scope carries its schema in the ``wd_instance``
  header (``stamp``: Celery's ``before_task_publish``), whoever sends it: a core service through
  ``jobs.enqueue`` (which re-enters the caller's scope when it sends after the response), a task's retry
  (sent from inside the running task's scope), App mode's own tasks.
- Running: App mode's Celery app makes every task an :class:`InstanceTask`, which runs the task in that
  schema when the instance is still installed and allowed, and not at all otherwise (logged: the message
  is acknowledged, nothing is written for an instance this server no longer trusts). A message without
  the header is a server-wide task: the periodic jobs' fan-out (``for_each_instance``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task

from ..instance_scope import current, scoped

logger = logging.getLogger(__name__)

HEADER = "wd_instance"


def stamp(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """``before_task_publish`` receiver: the instance in scope, in the message's headers."""
    schema = current()
    if schema is not None and headers is not None:
        headers.setdefault(HEADER, schema)


def header_schema(request: Any) -> str | None:
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return value if isinstance(value, str) else None


class InstanceTask(Task):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        schema = header_schema(self.request)
        if schema is None or schema == current():  # server-wide, or run eagerly in its sender's scope
            return super().__call__(*args, **kwargs)
        # imported here: Celery resolves the task class before Django's models may be loaded (beat)
        from .instances import installation_of_schema

        if installation_of_schema(schema) is None:
            logger.warning(
                "task %s not run: its instance (%s) is not installed or not allowed", self.name, schema
            )
            return None
        with scoped(schema):
            return super().__call__(*args, **kwargs)
