"""What a hook's send costs the request that makes it (issue 11, checkout overhead): the messages leave
after the response, and building them costs no per-thread result backend. Real Redis, no worker."""

from __future__ import annotations

import asyncio
import threading

import pytest
from celery.app import backends
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import connection
from django.http import JsonResponse
from django.test import override_settings
from django.urls import path

from saleor_wechat_distribution import jobs, task_names


def _in_new_thread(work) -> None:
    """As Django's ASGI handler serves each request: in a thread of its own (with its own connection)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_sends_from_new_threads_build_no_result_backend(db, celery_broker, monkeypatch):
    """Celery keeps its result backend per thread: without a result backend configured (Saleor's
    default) each request's first send built one, which scans every installed distribution's entry
    points (~20 ms of a checkout inside Saleor). Our tasks' results are never read: sending must not
    build a backend per thread."""
    built: list[object] = []
    real_by_url = backends.by_url

    def counting_by_url(*args, **kwargs):
        built.append(args)
        return real_by_url(*args, **kwargs)

    monkeypatch.setattr(backends, "by_url", counting_by_url)
    for order_id in ("O-1", "O-2", "O-3"):  # outside a transaction and a request: sent at once
        _in_new_thread(lambda order_id=order_id: jobs.enqueue(task_names.COMMISSIONS_NOTIFY, order_id))

    assert celery_broker["redis"].llen(celery_broker["queue"]) == 3  # every message was sent
    assert built == []


def test_sends_during_a_request_leave_when_it_finishes(db, celery_broker):
    queued = lambda: celery_broker["redis"].llen(celery_broker["queue"])  # noqa: E731
    seen: dict[str, int] = {}

    def request() -> None:
        request_started.send(sender=ASGIHandler)
        jobs.enqueue(task_names.COMMISSIONS_NOTIFY, "O-1")
        jobs.enqueue(task_names.COMMISSIONS_NOTIFY, "O-2")
        seen["during"] = queued()
        request_finished.send(sender=ASGIHandler)
        seen["finished"] = queued()
        jobs.enqueue(task_names.COMMISSIONS_NOTIFY, "O-3")  # late (a view that outlived a disconnect)
        seen["late"] = queued()

    _in_new_thread(request)
    assert seen == {"during": 0, "finished": 2, "late": 3}


def test_a_request_without_its_end_signalled_loses_nothing(db, celery_broker):
    queued = lambda: celery_broker["redis"].llen(celery_broker["queue"])  # noqa: E731
    seen: dict[str, int] = {}

    def two_requests() -> None:
        request_started.send(sender=ASGIHandler)
        jobs.enqueue(task_names.COMMISSIONS_NOTIFY, "O-1")
        request_started.send(sender=ASGIHandler)  # the next request in this thread
        seen["next started"] = queued()
        request_finished.send(sender=ASGIHandler)

    _in_new_thread(two_requests)
    assert seen == {"next started": 1}


def test_eager_tasks_still_run_at_the_commit_inside_a_request(db):
    ran: list[str] = []

    def request() -> None:
        request_started.send(sender=ASGIHandler)
        jobs._after_response(lambda: ran.append("sent"))  # what enqueue hands to on_commit
        ran.append("view returns")
        request_finished.send(sender=ASGIHandler)

    _in_new_thread(request)  # the test settings run Celery eagerly
    assert ran == ["sent", "view returns"]


# --- through Django's real ASGI handler -------------------------------------------------------------

_in_view: dict[str, int] = {}


def _view(request):
    jobs.enqueue(task_names.COMMISSIONS_NOTIFY, "O-ASGI")
    _in_view["queued"] = _redis_queue_length()
    return JsonResponse({"ok": True})


def _redis_queue_length() -> int:
    return _broker["redis"].llen(_broker["queue"])


_broker: dict = {}
urlpatterns = [path("enqueue/", _view)]


@override_settings(ROOT_URLCONF=__name__)
def test_through_the_asgi_handler_the_message_follows_the_response(db, celery_broker):
    """Saleor serves through Django's ASGI handler (uvicorn): the view runs in a thread of the request's
    own, the response goes out, then ``request_finished`` publishes."""
    _broker.update(celery_broker)
    events: list[tuple[str, int]] = []

    bodies = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if bodies:
            return bodies.pop()
        await asyncio.Event().wait()  # the client stays connected; cancelled once the response is out

    async def send(message):
        if message["type"] == "http.response.body":
            events.append(("body sent", _redis_queue_length()))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/enqueue/", "raw_path": b"/enqueue/", "query_string": b"",
        "root_path": "", "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }  # fmt: skip
    # an event loop with no sync thread above it, as under uvicorn: the handler's ThreadSensitiveContext
    # gives the request a thread of its own
    _in_new_thread(lambda: asyncio.run(ASGIHandler()(scope, receive, send)))
    assert _in_view == {"queued": 0}
    assert events == [("body sent", 0)]
    assert _redis_queue_length() == 1


@pytest.fixture(autouse=True)
def _forget_request_state():
    yield
    jobs.request_finished()
    _in_view.clear()
    _broker.clear()
