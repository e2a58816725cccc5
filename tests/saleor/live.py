"""The live tier's moving parts: Saleor's ASGI server (uvicorn) and Celery worker on the tier's test
database, the App's server and worker (``python -m saleor_wechat_distribution.app``) on a database of its
own, all on loopback ports; an HTTP GraphQL client shaped like Saleor's ``E2eApiClient``; our tables copied
from Saleor's database to the App's (as README's step 6 of a move) and read back for row-by-row comparison.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql
from django.apps import apps
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
APP_LABEL = "wechat_distribution"
#: rows that belong to one side only: never copied
NOT_COPIED = frozenset({"wechat_distribution_inboundevent", "wechat_distribution_saleorappinstallation"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=0.5):
            return url
    except OSError:
        return None


def wait_for(
    condition: Callable[[], Any], *, timeout: float, what: str, logs: Callable[[], str] = str
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout}s\n{logs()}")


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST as an outside caller would (e.g. WeChat Pay's notifications): the status and the answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def database_params(name: str) -> dict[str, Any]:
    db = settings.DATABASES["default"]
    return {
        "dbname": name, "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
    }  # fmt: skip


def database_url(name: str) -> str:
    p = database_params(name)
    auth = p["user"] + (f":{p['password']}" if p["password"] else "")
    return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


def recreate_database(name: str) -> None:
    with psycopg.connect(**database_params("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(**database_params("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _die_with_parent() -> None:
    """Linux: the process gets SIGTERM when the test process dies (killed, not only finished): a killed
    run leaves no server behind."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            text = []
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text)


@dataclass
class Processes:
    logs: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        log = self.logs / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def ready(self, name: str) -> bool:
        """A Celery worker's log says it consumes (``celery@host ready.``)."""
        process = next(p for p in self.started if p.name == name)
        return b" ready." in process.log.read_bytes()

    def tails(self) -> str:
        return "\n".join(p.tail() for p in self.started)

    def stop(self) -> None:
        for process in self.started:
            if process.popen.poll() is None:
                process.popen.terminate()
        for process in self.started:
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=10)


@dataclass
class Response:
    """What Saleor's ``get_graphql_content`` reads of a response."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class HttpApiClient:
    """``E2eApiClient.post_graphql`` over HTTP to a running Saleor, with the same client's credentials."""

    def __init__(self, api_url: str, *, token: str | None = None, app_token: str | None = None) -> None:
        self.api_url = api_url
        self.token = token
        self.app_token = app_token

    @classmethod
    def like(cls, e2e_client: Any, api_url: str) -> HttpApiClient:
        e2e_client.ensure_access_token()
        return cls(api_url, token=e2e_client.token, app_token=e2e_client.app_token)

    def post_graphql(self, query: str, variables: dict | None = None, **_: Any) -> Response:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"JWT {self.token}"
        elif self.app_token:
            headers["Authorization"] = f"Bearer {self.app_token}"
        body = json.dumps({"query": query, "variables": variables or {}}, default=str).encode()
        request = urllib.request.Request(self.api_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return Response(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read())


# --- our tables on both sides ----------------------------------------------------------------------------


def our_tables() -> list[str]:
    tables = []
    for model in apps.get_app_config(APP_LABEL).get_models(include_auto_created=True):
        if model._meta.db_table not in tables and not model._meta.proxy:
            tables.append(model._meta.db_table)
    return tables


@contextmanager
def app_database(name: str) -> Iterator[psycopg.Connection]:
    """A connection to the App's database, in the schema of the installed instance's rows (App mode keeps
    each Saleor instance's rows in a schema of its own; ``public`` holds the registry)."""
    with psycopg.connect(**database_params(name), autocommit=True) as conn:
        found = conn.execute(
            "SELECT schema FROM wechat_distribution_saleorappinstallation"
            " WHERE schema <> '' ORDER BY id LIMIT 1"
        ).fetchone()
        if found:
            path = psycopg.sql.SQL("SET search_path TO {}, public")
            conn.execute(path.format(psycopg.sql.Identifier(found[0])))
        yield conn


def copy_our_tables(app_db: str) -> None:
    """Our rows of Saleor's database (the plugin's program, distributors, bindings…) into the App's, in
    place of what it had: both adapters start from the same state, with the same ids."""
    tables = [t for t in our_tables() if t not in NOT_COPIED]
    connection.ensure_connection()
    source = connection.connection  # the test process's psycopg connection to Saleor's database
    with app_database(app_db) as target, target.transaction():
        target.execute("SET LOCAL session_replication_role = replica")  # no FK checks while loading
        target.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        for table in tables:
            with source.cursor().copy(f'COPY "{table}" TO STDOUT') as out:
                data = b"".join(bytes(chunk) for chunk in out)
            with target.cursor().copy(f'COPY "{table}" FROM STDIN') as into:
                into.write(data)
            sequence = target.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()[0]
            if sequence:
                target.execute(
                    f'SELECT setval(%s, COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)', [sequence]
                )


def rows(cursor: Any, table: str, columns: list[str], where: str, params: list[Any]) -> list[tuple]:
    cols = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f'SELECT {cols} FROM "{table}" WHERE {where} ORDER BY {cols}', params)
    return [tuple(row) for row in cursor.fetchall()]


def plugin_rows(table: str, columns: list[str], where: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        return rows(cursor, table, columns, where, params)


def app_rows(app_db: str, table: str, columns: list[str], where: str, params: list[Any]) -> list[tuple]:
    with app_database(app_db) as conn, conn.cursor() as cursor:
        return rows(cursor, table, columns, where, params)


def python() -> str:
    return sys.executable
