"""Queue background work by task name, after the current transaction commits.

Services must not import ``tasks`` (tasks sit above services), yet must queue work only once their
writes are visible: they name the task, and Celery looks it up in its registry (``apps.py`` imports
``tasks`` so the registry has it) in the host's Celery app.

Inside an HTTP request served by Django, the messages leave once the response has gone out (Django's
``request_finished``), not at the commit: Saleor calls the order hooks at the commit of
``checkoutComplete``, before it finishes the request, and a worker picking the order up at once competes
with that request for the CPU and the database (bench/README.md). The customer gets the answer without
waiting for the publish; the work is queued a few milliseconds later. Run eagerly (no broker: the
sandbox, tests), tasks still run at the commit.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from celery import Task, current_app
from celery.backends.base import DisabledBackend
from django.db import transaction

from . import instance_scope, task_names

logger = logging.getLogger(__name__)


def _short_repr(values: tuple | dict) -> str | None:
    """``repr(values)`` when it is short; else None: Celery then makes its truncated ``saferepr``."""
    items = values.values() if isinstance(values, dict) else values
    if all(isinstance(a, str | int | float | bool | None) for a in items):
        text = repr(values)
        if len(text) <= 1024:
            return text
    return None


def _send_options(task: Task) -> dict[str, Any]:
    """Where the host configured no result backend (Saleor's default): one ``DisabledBackend`` per process
    for ``task``, and sends that do not ask for one (``ignore_result``, a no-op without a backend).

    Celery keeps the result backend per thread (unless the backend declares itself thread safe), and
    Django's ASGI handler runs every request's view in a new thread: each request's first send built a
    ``DisabledBackend`` (twice: the app's for the send, the task's for the returned result), whose lookup
    scans every installed distribution's entry points: about 20 ms of a ``checkoutComplete`` in Saleor's
    environment, most of what the plugin cost the customer's request. With a configured backend, Celery's
    own handling stays."""
    options = _options_by_task.get(task.name)
    if options is None:
        backend = task.app.conf.result_backend
        options = {}
        if not backend or backend == "disabled":
            task.backend = DisabledBackend(app=task.app)
            options = {"ignore_result": True}
        _options_by_task[task.name] = options
    return options


_options_by_task: dict[str, dict[str, Any]] = {}


def enqueue(name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send task ``name`` (one of ``task_names``; anything else raises ``ValueError`` at once) after commit.
    A failure to send (broker down; or, run eagerly, the task itself failing) is logged and never reaches
    the caller, whose work is committed: the periodic jobs pick it up later."""
    if name not in task_names.ALL:
        raise ValueError(f"unknown task {name!r}: task names live in task_names.py")

    def send() -> None:
        try:
            # argsrepr: our arguments are ids, their repr is short; Celery's saferepr of them (for
            # monitoring only) is a tenth of the send's CPU
            task = current_app.tasks[name]
            task.apply_async(
                args=args, kwargs=kwargs, countdown=countdown, argsrepr=_short_repr(args),
                kwargsrepr=_short_repr(kwargs) if kwargs else "{}", **_send_options(task),
            )  # fmt: skip
        except Exception:
            logger.exception("could not run or queue task %s%r", name, args)

    # App mode: the message leaves in the caller's instance scope (it may leave after the response, out of
    # the view's scope), so it carries that instance (``app/task_scope.py``)
    schema = instance_scope.current()
    if schema is not None:
        transaction.on_commit(functools.partial(_after_response, functools.partial(_in_scope, schema, send)))
        return
    transaction.on_commit(functools.partial(_after_response, send))


def _in_scope(schema: str, send: Callable[[], None]) -> None:
    with instance_scope.scoped(schema):
        send()


# Django runs a request's signals and its (sync) view in one thread: the request's own under ASGI
# (``ThreadSensitiveContext``), a server thread serving one request at a time under WSGI.
_request = threading.local()


def _after_response(send: Callable[[], None]) -> None:
    held = getattr(_request, "sends", None)
    if held is None:  # not in a request (a worker, a command), or the response is already out
        send()
    else:
        held.append(send)


def request_started(**_: Any) -> None:
    """``request_started`` receiver: hold this request's sends (unless tasks run eagerly)."""
    request_finished()  # a request whose end was never signalled: its sends go now, not never
    _request.sends = None if current_app.conf.task_always_eager else []


def request_finished(**_: Any) -> None:
    """``request_finished`` receiver (Django sends it once the response is out): send what was held."""
    held, _request.sends = getattr(_request, "sends", None), None
    for send in held or ():
        send()  # each send logs its own failure
