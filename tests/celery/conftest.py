"""A real Celery worker (separate process, Redis broker) against the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=0.5):
            return url
    except OSError:
        return None


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition: Callable[[], bool], *, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"condition not met within {timeout}s")


def _reset_connections(app) -> None:
    """Drop the app's cached broker connections so the next send uses the current broker_url."""
    app._pool = None  # kombu keeps its pools per broker URL: the next send picks the right one
    # an eager task run earlier in this process cached the routing (default queue "celery") in app.amqp
    app.__dict__.pop("amqp", None)


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[dict[str, str]]:
    """Start a worker on a private Redis queue; this process sends to it instead of running eagerly."""
    broker = redis_url()
    if broker is None or connection.vendor != "postgresql":
        pytest.skip("a real Celery worker needs Redis at REDIS_URL (or 127.0.0.1:6379) and PostgreSQL")
    from saleor_wechat_distribution.sandbox.celery import app

    queue = f"wd-test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "saleor_wechat_distribution.sandbox.celery", "worker",
         "--pool=solo", "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    ready = threading.Event()

    def read_output() -> None:  # the worker says "ready." once it consumes from the queue
        for line in worker.stdout:
            output.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    if not ready.wait(timeout=120):
        worker.kill()
        pytest.fail("the Celery worker did not start:\n" + "".join(output[-40:]))
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    _reset_connections(app)  # earlier eager tests may have opened the in-memory transport
    try:
        yield {"queue": queue, "broker": broker}
    finally:
        app.conf.update(saved)
        _reset_connections(app)
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if os.environ.get("WD_SHOW_WORKER_LOG"):
            print("".join(output))


@pytest.fixture
def celery_broker() -> Iterator[dict[str, str]]:
    """Sends go to a private Redis queue that no worker consumes (deleted afterwards): what a web process
    does in production, without the cost of starting a worker."""
    broker = redis_url()
    if broker is None:
        pytest.skip("needs Redis at REDIS_URL (or 127.0.0.1:6379)")
    import redis

    from saleor_wechat_distribution.sandbox.celery import app

    queue = f"wd-test-send-{os.getpid()}-{time.monotonic_ns()}"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    _reset_connections(app)
    client = redis.Redis.from_url(broker)
    try:
        yield {"queue": queue, "broker": broker, "redis": client}
    finally:
        app.conf.update(saved)
        _reset_connections(app)
        client.delete(queue)
