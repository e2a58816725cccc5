"""Queue background work by task name, after the current transaction commits.

Services must not import ``tasks`` (tasks sit above services), yet must queue work only once their
writes are visible: they name the task, and Celery looks it up in its registry (``apps.py`` imports
``tasks`` so the registry has it) in the host's Celery app.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction

TASK_PREFIX = "saleor_wechat_distribution."
logger = logging.getLogger(__name__)


def _short_repr(args: tuple) -> str | None:
    """``repr(args)`` when it is short; else None: Celery then makes its truncated ``saferepr``."""
    if all(isinstance(a, str | int | float | bool | None) for a in args):
        text = repr(args)
        if len(text) <= 1024:
            return text
    return None


def enqueue(name: str, *args: Any, countdown: float | None = None) -> None:
    """Send after commit. A failure to send (broker down; or, run eagerly, the task itself failing) is
    logged and never reaches the caller, whose work is committed: the periodic jobs pick it up later."""

    def send() -> None:
        try:
            # argsrepr: our arguments are ids, their repr is short; Celery's saferepr of them (for
            # monitoring only) is a tenth of the send's CPU
            current_app.tasks[TASK_PREFIX + name].apply_async(
                args=args, countdown=countdown, argsrepr=_short_repr(args), kwargsrepr="{}"
            )
        except Exception:
            logger.exception("could not run or queue task %s%r", name, args)

    transaction.on_commit(send)
