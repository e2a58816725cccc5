"""Benchmark of the staff console's pages at 1,000,000 distributors / 10,000,000 commissions.

Why: the console runs the program for a brand whose network and history grow without bound; each page
must stay an index lookup of what it shows (a page of rows, counts), never a scan of the network or the
history, and cost a fixed number of SQL statements whatever its page size (dataloaders, no N+1).

What it does:

1. Reuses ``center.py``'s data set (``center_data.py``, generated set-based in PostgreSQL) in its own
   database (``wd_bench_console``, prefixed by ``$WD_BENCH_DB_PREFIX``; ``--database-url`` for another),
   built once and kept between runs (``--rebuild`` builds it again); migrations applied.
2. The pages and the GraphQL requests each one sends (the documents are read from the UI's sources:
   ``console_documents.py``):
   - ``queue``: the applications queue (pending applicants, newest first, 20 per page);
   - ``network_level``: the network browser below a distributor (10 %: below the brand), 20 per page,
     with the distributors per level below it;
   - ``distributor``: a distributor's page (profile, upline, team per level, bindings, storefront, audit
     trail) and ``distributor_money`` (balances, latest commissions, ledger, withdrawals), the two
     requests the page sends; 90 % of the distributors drawn uniformly, 10 % by commission (busy ones);
   - ``withdrawals``: the withdrawals waiting for approval (20 per page) with their distributors;
   - ``order_widget``: an order's commissions and disputes.
3. Counts each page's SQL statements in process at page sizes 5 and 50 (they must be equal).
4. Serves the sandbox on gunicorn (persistent connections, ``center_settings.py``) and runs ``--clients``
   (20) concurrent clients, each sending the pages' requests in turn, back to back (``--think S``: a pause
   of S seconds on average between requests), for ``--duration`` seconds after a ``--warmup``; p50 / p99
   per page from the client's side.
5. Prints human-readable lines and, as the very last line, one JSON object.

The goal: p99 < 100 ms per page under 20 concurrent clients; statements per page independent of the page
size.

Usage: ``python bench/console.py`` (first run builds the data set: about 10-20 minutes on 2 cores);
``--distributors 20000 --commissions 200000`` for a quick run. Needs gunicorn (``pip install gunicorn``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from typing import Any

import center
import center_data
import console_documents as documents
import load_clients
from benchdb import bench_database, with_dbname

BENCH_DB = bench_database("wd_bench_console")
PAGE_SIZE = 20
CHANNEL = center_data.CHANNEL


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--distributors", type=int, default=1_000_000)
    parser.add_argument("--commissions", type=int, default=10_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=40.0, help="seconds measured (40)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring (5)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between requests (s)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8162)
    parser.add_argument("--sample", type=int, default=1_000, help="distributors and orders drawn per page")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--database-url", help=f"use this database instead of {BENCH_DB}")
    parser.add_argument("--admin-url", default=center.DEFAULT_ADMIN_URL)
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    if not args.database_url:
        import psycopg
        from psycopg import sql

        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
        args.database_url = with_dbname(args.admin_url, BENCH_DB)
    return center.prepare(args)


def draw(sample: int, seed: int = 13) -> dict[str, list[Any]]:
    """Who and what the pages show: distributors (uniform and busy ones), distributors with a team (whose
    level below is browsed), orders."""
    from django.db import connection

    rng = random.Random(seed)
    heavy_count = max(1, sample // 10)
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed / 100])
        cur.execute(f"SELECT id FROM {center_data.DIST} TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT %s",
                    [sample - heavy_count])  # fmt: skip
        uniform = [row[0] for row in cur.fetchall()]
        cur.execute(
            f"SELECT distributor_id, order_id FROM {center_data.COMMISSION} TABLESAMPLE SYSTEM (0.1)"
            " ORDER BY random() LIMIT %s",
            [sample],
        )
        drawn = cur.fetchall()
        cur.execute(
            f"SELECT id FROM {center_data.DIST} TABLESAMPLE SYSTEM (2) WHERE numchild > 0"
            " ORDER BY random() LIMIT %s",
            [sample],
        )
        parents = [row[0] for row in cur.fetchall()]
    heavy = [d for d, _ in drawn[:heavy_count]]
    distributors = [(pk, False) for pk in uniform] + [(pk, True) for pk in heavy]
    rng.shuffle(distributors)
    return {"distributors": distributors, "parents": parents, "orders": [o for _, o in drawn]}


def page_requests(drawn: dict[str, list[Any]], size: int = PAGE_SIZE) -> dict[str, list[dict[str, Any]]]:
    """Per page, the request bodies (query and variables) the clients send, in the order drawn."""
    from graphql_relay import to_global_id

    def gid(pk: int) -> str:
        return to_global_id("Distributor", pk)

    network = [{"parent": None if n % 10 == 0 else gid(pk), "first": size, "after": None}
               for n, pk in enumerate(drawn["parents"])]  # fmt: skip
    return {
        "queue": [
            {"query": documents.QUEUE_PAGE, "variables": {"first": size, "after": None, "search": None}}
        ],
        "network_level": [{"query": documents.NETWORK_LEVEL_PAGE, "variables": v} for v in network],
        "distributor": [
            {"query": documents.DISTRIBUTOR_PAGE, "variables": {"id": gid(pk)}, "heavy": heavy}
            for pk, heavy in drawn["distributors"]
        ],
        "distributor_money": [
            {"query": documents.DISTRIBUTOR_MONEY, "variables": {"id": gid(pk), "first": 10}, "heavy": heavy}
            for pk, heavy in drawn["distributors"]
        ],
        "withdrawals": [
            {
                "query": documents.WITHDRAWALS_PAGE,
                "variables": {"first": size, "after": None, "status": "REQUESTED"},
            }
        ],
        "order_widget": [
            {"query": documents.ORDER_WIDGET, "variables": {"orderId": o}} for o in drawn["orders"]
        ],
    }


def post(client: Any, token: str, query: str, variables: dict[str, Any]) -> Any:
    body = json.dumps({"query": query, "variables": variables})
    return client.post(
        "/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def statement_counts(token: str, drawn: dict[str, list[Any]]) -> dict[str, Any]:
    """SQL statements per request of each page at page sizes 5 and 50 (in process, Django's test client),
    and the one-client service time at the default size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    out: dict[str, Any] = {}
    small, large = page_requests(drawn, 5), page_requests(drawn, 50)
    for page in small:
        found: dict[str, set[int]] = {"statements_first_5": set(), "statements_first_50": set()}
        same = True
        for body_5, body_50 in list(zip(small[page], large[page], strict=True))[:20]:
            if page == "distributor_money":
                body_5["variables"]["first"], body_50["variables"]["first"] = 5, 50
            post(client, token, body_5["query"], body_5["variables"])  # warm: the level counts' cache
            pair = []
            for key, body in (("statements_first_5", body_5), ("statements_first_50", body_50)):
                with CaptureQueriesContext(connection) as ctx:
                    answer = post(client, token, body["query"], body["variables"])
                payload = answer.json()
                assert answer.status_code == 200 and not payload.get("errors"), (page, payload)
                found[key].add(len(ctx.captured_queries))
                pair.append(len(ctx.captured_queries))
            same = same and pair[0] == pair[1]
        out[page] = {key: sorted(values) for key, values in found.items()}
        # the same request at both sizes: equal counts (requests differ among themselves: a distributor
        # with or without an upline, a level's counts from the cache or counted)
        out[page]["independent_of_page_size"] = same
    serial: dict[str, float] = {}
    for page, bodies in page_requests(drawn).items():
        times = []
        for body in (bodies * 40)[:40]:
            start = time.perf_counter()
            post(client, token, body["query"], body["variables"])
            times.append(time.perf_counter() - start)
        serial[page] = round(statistics.median(times) * 1000, 1)
    return {"pages": out, "serial_p50_ms": serial}


def run_load(
    args: argparse.Namespace, token: str, requests: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """``args.clients`` clients, each sending the pages' requests in turn (one request of each page per
    round); latencies per page from the client's side."""
    pages = list(requests)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    encoded = {
        page: [(json.dumps({"query": b["query"], "variables": b["variables"]}).encode(),
                b.get("heavy", False)) for b in bodies]
        for page, bodies in requests.items()
    }  # fmt: skip

    def next_request(index: int, turn: int) -> tuple[str, bytes, dict[str, str], bool]:
        page = pages[(index + turn) % len(pages)]
        bodies = encoded[page]
        data, heavy = bodies[(index * 97 + (index + turn) // len(pages)) % len(bodies)]
        return page, data, headers, heavy

    samples = load_clients.run_clients(
        port=args.port, clients=args.clients, duration=args.duration, warmup=args.warmup, think=args.think,
        next_request=next_request,
    )  # fmt: skip
    percentiles = load_clients.percentiles
    results = [(s.label, s.seconds, s.heavy, s.ok) for s in samples]
    per_page = {}
    for page in pages:
        mine = [r for r in results if r[0] == page]
        per_page[page] = {
            "requests": len(mine),
            "errors": sum(1 for r in mine if not r[3]),
            **percentiles([r[1] for r in mine]),
        }
        heavy = [r[1] for r in mine if r[2]]
        if heavy:
            per_page[page]["heavy"] = percentiles(heavy)
    return {
        "requests": len(results),
        "errors": sum(1 for r in results if not r[3]),
        "rps": round(len(results) / args.duration, 1),
        **percentiles([r[1] for r in results]),
        "per_page": per_page,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url, build_timings = prepare(args)
    from django.db import connection

    from saleor_wechat_distribution.domain.permissions import Permission
    from saleor_wechat_distribution.ports import Principal
    from saleor_wechat_distribution.sandbox.tokens import issue_token

    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {center_data.DIST}")
        distributors = cur.fetchone()[0]
        cur.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{center_data.COMMISSION}'")
        commissions = cur.fetchone()[0]
    token = issue_token(Principal(user_id=1, email="staff@bench.example", is_staff=True,
                                  permissions=frozenset(Permission)))  # fmt: skip
    drawn = draw(args.sample)
    counts = statement_counts(token, drawn)
    for page, found in counts["pages"].items():
        serial = counts["serial_p50_ms"][page]
        print(f"{page}: statements at first=5 {found['statements_first_5']}, first=50 "
              f"{found['statements_first_50']}; one client p50 {serial} ms")  # fmt: skip
    server = center.start_server(url, args)
    try:
        cpu_before = center.server_cpu(server, url)
        loaded = run_load(args, token, page_requests(drawn))
        cpu = center.server_cpu(server, url) - cpu_before
        baseline = load_clients.empty_request_baseline(
            port=args.port, clients=args.clients, duration=args.duration, warmup=args.warmup, think=args.think
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_avg = os.getloadavg()[0]
    # requests made during the warm-up used CPU too: count them by the measured rate
    served = loaded["rps"] * (args.duration + args.warmup)
    cpu_ms = round(cpu / served * 1000, 2) if served else None
    for page, found in loaded["per_page"].items():
        busy = f" (busy distributors p99 {found['heavy']['p99_ms']} ms)" if "heavy" in found else ""
        print(f"{page}: {found['requests']} requests, {found['errors']} errors, "
              f"p50 {found.get('p50_ms')} ms, p99 {found.get('p99_ms')} ms{busy}")  # fmt: skip
    print(f"{args.clients} clients, {args.workers} workers, {args.duration:.0f} s: "
          f"{loaded['rps']} requests/s; server CPU (workers + PostgreSQL) {cpu_ms} ms per request; "
          f"load average {load_avg:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"baseline, the same clients sending {{ __typename }}: p50 {baseline.get('p50_ms')} ms, "
          f"p99 {baseline.get('p99_ms')} ms ({baseline['rps']}/s)")  # fmt: skip
    pages = {
        page: {
            "p50_ms": found.get("p50_ms"),
            "p99_ms": found.get("p99_ms"),
            "requests": found["requests"],
            "errors": found["errors"],
            **counts["pages"][page],
            "serial_p50_ms": counts["serial_p50_ms"][page],
            "ratio_p99_vs_empty_request": load_clients.ratio(found.get("p99_ms"), baseline.get("p99_ms")),
        }
        for page, found in loaded["per_page"].items()
    }
    result = {
        "benchmark": "console_pages",
        "distributors": distributors,
        "commissions": commissions,
        "clients": args.clients,
        "think_s": args.think,
        "workers": args.workers,
        "duration_s": args.duration,
        "pages": pages,
        "rps": loaded["rps"],
        "server_cpu_ms_per_request": cpu_ms,
        "errors": loaded["errors"],
        "baseline_empty_request": baseline,
        "goal_p99_ms": 100,
        "goal_met": all((p["p99_ms"] or 1e9) < 100 for p in pages.values()) and not loaded["errors"],
        "statements_independent_of_page_size": all(p["independent_of_page_size"] for p in pages.values()),
        "load_average": round(load_avg, 2),
        "build_s": {k: round(v, 1) for k, v in build_timings.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
