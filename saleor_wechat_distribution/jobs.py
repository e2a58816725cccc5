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


def enqueue(name: str, *args: Any, countdown: float | None = None) -> None:
    """Send after commit. A failure to send (broker down; or, run eagerly, the task itself failing) is
    logged and never reaches the caller, whose work is committed: the periodic jobs pick it up later."""

    def send() -> None:
        try:
            current_app.tasks[TASK_PREFIX + name].apply_async(args=args, countdown=countdown)
        except Exception:
            logger.exception("could not run or queue task %s%r", name, args)

    transaction.on_commit(send)
