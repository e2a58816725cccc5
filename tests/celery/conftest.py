"""A real Celery worker (separate process, Redis broker) against the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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


def wait_for(condition: Callable[[], bool], *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"condition not met within {timeout}s")


def _forget_connections(app) -> None:
    """Celery builds its producer pool and queue routing once, from the configuration of that moment."""
    app._pool = None  # dropped, not closed: objects built from it may still hold it
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
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    _forget_connections(app)  # an eager task run earlier has built them for the memory:// broker
    try:
        yield {"queue": queue, "broker": broker}
    finally:
        app.conf.update(saved)
        _forget_connections(app)
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        if os.environ.get("WD_SHOW_WORKER_LOG"):
            print(output)
