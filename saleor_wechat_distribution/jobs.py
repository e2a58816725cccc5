"""Queue background work by task name, after the current transaction commits.

Services must not import ``tasks`` (tasks sit above services), yet must queue work only once their
writes are visible: they name the task, and Celery looks it up in its registry (``apps.py`` imports
``tasks`` so the registry has it) in the host's Celery app.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction

TASK_PREFIX = "saleor_wechat_distribution."


def enqueue(name: str, *args: Any, countdown: float | None = None) -> None:
    def send() -> None:
        current_app.tasks[TASK_PREFIX + name].apply_async(args=args, countdown=countdown)

    transaction.on_commit(send)
