"""Benchmark of the distributor center's home page at 1,000,000 distributors / 10,000,000 commissions.

Why: the home page is what every distributor opens first, many times a day; it sums the distributor's
own money (ledger, open commissions by freeing day, withdrawals), this month's earnings, its team at
two levels and its latest commissions with the reason of each. Each of those must stay an index lookup of
the distributor's own rows, whatever the size of the network and of the history, and the request a fixed
number of SQL statements (dataloaders, no N+1).

What it does:

1. Keeps a database (``wd_bench_center``, prefixed by ``$WD_BENCH_DB_PREFIX``) between runs: it is
   created and migrated when missing and the data set (``center_data.py``: generated set-based in SQL)
   is built once; ``--rebuild`` builds it again, ``--database-url`` uses another database.
2. Picks the distributors who open their home page: 90 % drawn uniformly from the active ones, 10 % by
   commission (a random commission's earner, so the busiest distributors come up as often as they earn).
3. Counts the SQL statements of the home page's request (``HOME_QUERY``: what the center's home page
   asks, one GraphQL request) in process, for light and heavy distributors alike, with Django's
   ``CaptureQueriesContext``; and times it from one client in a row (the service time).
4. Serves the sandbox's Django (``bench/center_settings.py``: persistent database connections, as a
   production deployment has) on gunicorn, ``--workers`` sync workers on 127.0.0.1:``--port``, and runs
   ``--clients`` (50) concurrent clients, each sending the home request as soon as the previous one
   answered (or, with ``--think S``, after a pause of S seconds on average, exponentially distributed:
   people using the center rather than a script hammering it), for ``--duration`` seconds after a
   ``--warmup``; latencies from the client's side (connect, request, full response). Reports p50 / p95 /
   p99 / max and the throughput, overall and for the 10 % heavy draws.
5. Prints human-readable lines and, as the very last line, one JSON object.

The goal: p99 < 100 ms under 50 concurrent clients; statements per request constant (no N+1).

Usage: ``python bench/center.py`` (first run builds the data set: about 10-20 minutes on 2 cores);
``--distributors 20000 --commissions 200000`` for a quick run (a separate data set: the database is
rebuilt when the sizes differ). Needs gunicorn in the environment (``pip install gunicorn``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import benchdb
import center_data
import load_clients
import psycopg
from benchdb import bench_database, with_dbname
from psycopg import sql

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = bench_database("wd_bench_center")
HERE = Path(__file__).resolve().parent
HOME_QUERY = """query Home($channel: String!) {
  myDistributor { displayName referralCode status level }
  centerHome(channel: $channel) {
    currency
    balance { available { amount } frozen { amount } pending { amount } withdrawing { amount } }
    frozenReleases { on amount { amount } }
    monthEarnings { amount } teamSize teamCounts { level count }
    recentCommissions(first: 5) { id level status createdAt amount { amount currency }
      explanation { reason at reversed { amount } message } }
  }
}"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--distributors", type=int, default=1_000_000)
    parser.add_argument("--commissions", type=int, default=10_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured (30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring (5)")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client pauses after an answer (exponential; 0: the next request at once)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8161)
    parser.add_argument("--sample", type=int, default=2_000, help="distributors who open their home page")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--database-url", help=f"use this database instead of {BENCH_DB}")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    args = parser.parse_args(argv)
    if args.distributors < 1_000 or args.commissions < 1_000:
        parser.error("--distributors and --commissions must be at least 1,000")
    return args


def prepare(args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    url = args.database_url or with_dbname(args.admin_url, BENCH_DB)
    if not args.database_url:
        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    benchdb.setup_django(url)
    from django.db import connection

    connection.settings_dict["CONN_MAX_AGE"] = 600  # as the server's (center_settings.py)
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        if args.rebuild or not center_data.built(conn, args.distributors, args.commissions):
            print(f"building {args.distributors:,} distributors / {args.commissions:,} commissions ...")
            timings = center_data.build(conn, args.distributors, args.commissions)
            print("  " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    from saleor_wechat_distribution.models import ChannelProgram

    ChannelProgram.objects.get_or_create(
        channel=center_data.CHANNEL, defaults={"currency": "CNY", "commission_depth": 2, "freeze_days": 7}
    )
    return url, timings


def pick_users(size: int, seed: int = 14) -> tuple[list[int], set[int]]:
    """User ids of the distributors who open their home page (90 % uniform, 10 % by commission)."""
    from django.db import connection

    heavy_count = max(1, size // 10)
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed / 100])
        cur.execute(
            f"SELECT user_id FROM {center_data.DIST} WHERE status = 'active' ORDER BY random() LIMIT %s",
            [size - heavy_count],
        )
        uniform = [row[0] for row in cur.fetchall()]
        cur.execute(
            f"SELECT d.user_id FROM (SELECT distributor_id FROM {center_data.COMMISSION}"
            " TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT %s) c"
            f" JOIN {center_data.DIST} d ON d.id = c.distributor_id",
            [heavy_count],
        )
        heavy = [row[0] for row in cur.fetchall()]
    users = uniform + heavy
    random.Random(seed).shuffle(users)
    return users, set(heavy)


def body(token: str) -> tuple[bytes, dict[str, str]]:
    payload = {"query": HOME_QUERY, "variables": {"channel": center_data.CHANNEL}}
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return json.dumps(payload).encode(), headers


def in_process(tokens: dict[int, str], users: list[int], heavy: set[int]) -> dict[str, Any]:
    """Statements per request (light and heavy distributors) and the one-client service time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts: dict[str, set[int]] = {"light": set(), "heavy": set()}
    times: list[float] = []
    for user in users[:200]:
        data, headers = body(tokens[user])
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            answer = client.post("/graphql/", data, content_type="application/json",
                                 HTTP_AUTHORIZATION=headers["Authorization"])  # fmt: skip
        times.append(time.perf_counter() - start)
        payload = answer.json()
        assert answer.status_code == 200 and not payload.get("errors"), payload
        counts["heavy" if user in heavy else "light"].add(len(ctx.captured_queries))
    times.sort()
    return {
        "statements": sorted(counts["light"] | counts["heavy"]),
        "statements_light": sorted(counts["light"]),
        "statements_heavy": sorted(counts["heavy"]),
        "serial_p50_ms": round(statistics.median(times) * 1000, 2),
        "serial_p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 2),
    }


def start_server(url: str, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "center_settings",
        "SANDBOX_DEBUG": "0",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}",
        "--log-level", "warning", "--timeout", "120", "django.core.wsgi:get_wsgi_application()",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if _typename(args.port):
                break
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    else:
        server.terminate()
        raise SystemExit("gunicorn did not start (is it installed? pip install gunicorn)")
    # every worker boots Django and builds the schema on its first request: warm them all
    warmers = [threading.Thread(target=_typename, args=(args.port,)) for _ in range(4 * args.workers)]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()
    return server


def _typename(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/graphql/", b'{"query": "{ __typename }"}', {"Content-Type": "application/json"})
    return conn.getresponse().status == 200


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(server: subprocess.Popen[bytes], url: str) -> float:
    """CPU seconds so far of the gunicorn workers and of the PostgreSQL backends serving them (when the
    server runs on this machine): unlike latencies, hardly affected by what else the machine runs."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    with psycopg.connect(url, autocommit=True) as conn:
        backends = [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
    return sum(_cpu_seconds(pid) for pid in workers + backends)


def load(args: argparse.Namespace, requests: list[tuple[int, bytes, dict[str, str]]]) -> dict[str, Any]:
    """``args.clients`` clients, client ``i`` sending requests ``i``, ``i + clients``, ... in turn."""

    def next_request(index: int, turn: int) -> tuple[str, bytes, dict[str, str], bool]:
        heavy, data, headers = requests[(index + turn * args.clients) % len(requests)]
        return "home", data, headers, bool(heavy)

    samples = load_clients.run_clients(
        port=args.port, clients=args.clients, duration=args.duration, warmup=args.warmup, think=args.think,
        next_request=next_request,
    )  # fmt: skip
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if not s.ok),
        "rps": round(len(samples) / args.duration, 1),
        **load_clients.percentiles(s.seconds for s in samples),
        "heavy": load_clients.percentiles(s.seconds for s in samples if s.heavy),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url, build_timings = prepare(args)
    from django.db import connection

    from saleor_wechat_distribution.ports import Principal
    from saleor_wechat_distribution.sandbox.tokens import issue_token

    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {center_data.DIST}")
        distributors = cur.fetchone()[0]
        cur.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{center_data.COMMISSION}'")
        commissions = cur.fetchone()[0]
    users, heavy = pick_users(args.sample)
    tokens = {user: issue_token(Principal(user_id=user)) for user in users}
    serial = in_process(tokens, users, heavy)
    print(f"statements per home request: {serial['statements']} (light {serial['statements_light']}, "
          f"heavy {serial['statements_heavy']}); one client: p50 {serial['serial_p50_ms']} ms, "
          f"p99 {serial['serial_p99_ms']} ms")  # fmt: skip
    requests = [(user in heavy, *body(tokens[user])) for user in users]
    server = start_server(url, args)
    try:
        cpu_before = server_cpu(server, url)
        loaded = load(args, requests)
        cpu = server_cpu(server, url) - cpu_before
        baseline = load_clients.empty_request_baseline(
            port=args.port, clients=args.clients, duration=args.duration, warmup=args.warmup, think=args.think
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_avg = os.getloadavg()[0]
    # requests made during the warm-up used CPU too: count them by the measured rate
    served = loaded["rps"] * (args.duration + args.warmup)
    loaded["server_cpu_ms_per_request"] = round(cpu / served * 1000, 2) if served else None
    print(f"{args.clients} clients, {args.workers} gunicorn workers, {args.duration:.0f} s: "
          f"{loaded['requests']} requests ({loaded['rps']}/s, {loaded['errors']} errors); "
          f"p50 {loaded.get('p50_ms')} ms, "
          f"p95 {loaded.get('p95_ms')} ms, p99 {loaded.get('p99_ms')} ms, max {loaded.get('max_ms')} ms; "
          f"heavy draws p99 {loaded['heavy'].get('p99_ms')} ms; server CPU (workers + PostgreSQL) "
          f"{loaded['server_cpu_ms_per_request']} ms per request; load average {load_avg:.1f} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    times = load_clients.ratio(loaded.get("p99_ms"), baseline.get("p99_ms"))
    print(f"baseline, the same clients sending {{ __typename }}: p50 {baseline.get('p50_ms')} ms, "
          f"p99 {baseline.get('p99_ms')} ms ({baseline['rps']}/s); the home request's p99 is "
          f"{times}x the empty request's")  # fmt: skip
    result = {
        "benchmark": "center_home",
        "distributors": distributors,
        "commissions": commissions,
        "clients": args.clients,
        "think_s": args.think,
        "workers": args.workers,
        "duration_s": args.duration,
        **serial,
        **loaded,
        "baseline_empty_request": baseline,
        "ratio_p50_vs_empty_request": load_clients.ratio(loaded.get("p50_ms"), baseline.get("p50_ms")),
        "ratio_p99_vs_empty_request": load_clients.ratio(loaded.get("p99_ms"), baseline.get("p99_ms")),
        "goal_p99_ms": 100,
        "goal_met": bool(loaded.get("p99_ms", 1e9) < 100 and not loaded["errors"]),
        "load_average": round(load_avg, 2),
        "build_s": {k: round(v, 1) for k, v in build_timings.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
