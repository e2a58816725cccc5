"""Benchmark: import a 100,000-row network file on PostgreSQL (``services.network_import.run``).

What it does:

1. Drops and recreates the database ``--database-name`` (default ``wd_bench_network``, or
   ``$WD_BENCH_DB_PREFIX`` + ``network``, so benchmarks run side by side cannot collide) on
   postgres://postgres@127.0.0.1:5432 (or uses ``--database-url``, which must hold no distributors unless
   ``--truncate``), and migrates it.
2. Writes a CSV file of ``--rows`` distributors (default 100,000): 50 enterprise top rows, stores under
   them, individuals below down to depth 7; about 3 % pending, 1 % suspended; every row with its own
   e-mail; one row in ten lists its parent *after* itself (the import reads in two passes).
3. Times the real import of the file (one transaction, exclusive tree lock; rows staged with COPY into a
   temporary table, checked and written in SQL).
4. Verifies the result: every row there, ``numchild``/``team_size`` recomputed independently in SQL for
   every node, treebeard's ``find_problems`` on one top-level subtree.
5. Times a re-import of the same file (must change nothing).
6. Imports the file again into an empty table with ``tracemalloc`` on (``peak_mb``: the Python heap's
   peak), and a file of a tenth of the rows the same way (``peak_mb_tenth``): memory is flat when the two
   peaks are about the same. Prints, as the very last line, one JSON object: ``rows``, ``seconds`` (the
   first import), ``peak_mb``, ``peak_mb_tenth``, and the details.

Goal: 100,000 rows in under 60 s.

Usage: ``python bench/network_import.py [--rows N] [--database-url URL [--truncate]]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

from benchdb import bench_database, recreate_database, setup_django, with_dbname

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = bench_database("wd_bench_network")
GOAL_SECONDS = 60.0
TABLE = "wechat_distribution_distributor"


def setup(args: argparse.Namespace) -> str:
    url = args.database_url
    if not url:
        recreate_database(args.admin_url, args.database_name)
        url = with_dbname(args.admin_url, args.database_name)
    setup_django(url)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE})")
        if cur.fetchone()[0]:
            if not args.truncate:
                raise SystemExit(f"{TABLE} is not empty in {url}; pass --truncate to empty it")
            cur.execute(f"TRUNCATE {TABLE} CASCADE")
    return url


def write_file(path: Path, rows: int, seed: int) -> None:
    """A network as the brand's spreadsheet would hold it (parents mostly, not always, first)."""
    rng = random.Random(seed)
    parents: list[int] = []  # indexes of rows that may have children
    kinds: list[str] = []
    depth: list[int] = []
    lines: list[list[str]] = []
    for i in range(rows):
        if i < 50:
            parent, kind = None, "enterprise"
        else:
            parent = rng.choice(parents[-5000:] if rng.random() < 0.8 else parents)
            kind = (
                "enterprise"
                if kinds[parent] == "enterprise" and depth[parent] < 2 and rng.random() < 0.3
                else "individual"
            )
        r = rng.random()
        status = "pending" if r < 0.03 else "suspended" if r < 0.04 else "active"
        kinds.append(kind)
        depth.append(1 if parent is None else depth[parent] + 1)
        if status != "pending" and depth[-1] < 7:
            parents.append(i)
        lines.append([
            f"X{i:07d}", "" if parent is None else f"X{parent:07d}", kind, f"分销员 {i}",
            f"user{i}@bench.example", f"+86139{i:08d}", "", status, "",
        ])  # fmt: skip
    # one row in ten swaps places with a row further down: some parents come after their children
    for i in range(0, rows - 10, 10):
        j = i + rng.randint(1, 9)
        lines[i], lines[j] = lines[j], lines[i]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["external_id", "parent_external_id", "kind", "display_name", "email", "phone",
                         "referral_code", "status", "storefront_slug"])  # fmt: skip
        writer.writerows(lines)


def verify(rows: int) -> dict[str, object]:
    from django.db import connection

    from saleor_wechat_distribution.models import Distributor

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
        count = cur.fetchone()[0]
        cur.execute(f"""
            WITH members AS (
                SELECT SUBSTR(d.path, 1, 4 * k) AS anc, COUNT(*) AS n
                FROM {TABLE} d CROSS JOIN LATERAL generate_series(1, d.depth - 1) AS k
                WHERE d.status IN ('active', 'suspended') GROUP BY 1),
            kids AS (SELECT SUBSTR(path, 1, LENGTH(path) - 4) AS par, COUNT(*) AS n FROM {TABLE} GROUP BY 1)
            SELECT COUNT(*) FROM {TABLE} d
            LEFT JOIN members m ON m.anc = d.path LEFT JOIN kids k ON k.par = d.path
            WHERE d.team_size <> COALESCE(m.n, 0) OR d.numchild <> COALESCE(k.n, 0)
                OR d.depth <> LENGTH(d.path) / 4
        """)
        wrong = cur.fetchone()[0]
        cur.execute(
            f"SELECT COUNT(*) FROM {TABLE} d WHERE d.depth > 1 AND NOT EXISTS"
            f" (SELECT 1 FROM {TABLE} p WHERE p.path = SUBSTR(d.path, 1, LENGTH(d.path) - 4))"
        )
        orphans = cur.fetchone()[0]
    sample = (
        Distributor.objects.filter(team_size__gte=200).order_by("team_size").first()
        or Distributor.objects.filter(depth=1).first()
    )
    problems = Distributor.objects.find_problems(parent=sample)
    if count != rows or wrong or orphans or any(problems):
        raise SystemExit(
            f"verification failed: {count} rows, {wrong} wrong counters, {orphans} orphans, {problems}"
        )
    return {"verified_rows": count, "find_problems_subtree": sample.team_size + 1}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database-name", default=BENCH_DB, help=f"default {BENCH_DB}")
    parser.add_argument("--truncate", action="store_true")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="file format (default csv)")
    args = parser.parse_args(argv)
    url = setup(args)
    from saleor_wechat_distribution.ports import SYSTEM
    from saleor_wechat_distribution.services.network_import.run import network_import

    print(f"database: {urlsplit(url).hostname}{urlsplit(url).path}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "network.csv"
        t0 = time.perf_counter()
        write_file(path, args.rows, args.seed)
        if args.format == "xlsx":
            from saleor_wechat_distribution.tabular import write_xlsx

            with path.open(encoding="utf-8") as f:
                reader = csv.reader(f)
                columns = next(reader)
                xlsx = Path(tmp) / "network.xlsx"
                write_xlsx(str(xlsx), columns, reader)
            path = xlsx
        print(
            f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB)"
            f" in {time.perf_counter() - t0:.1f} s"
        )

        phases: dict[str, float] = {}
        start = time.perf_counter()

        def progress(phase: str, count: int) -> None:
            phases.setdefault(phase, time.perf_counter() - start)

        with path.open("rb") as stream:
            result = network_import(
                stream=stream, file_format=args.format, actor=SYSTEM, dry_run=False, progress=progress
            )
        seconds = time.perf_counter() - start
        if not result.ok:
            raise SystemExit(f"import failed: {result.file_error or result.error_rows[:5]}")
        print(f"imported in {seconds:.1f} s (phases started at: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + ")")  # fmt: skip
        t0 = time.perf_counter()
        checks = verify(args.rows)
        print(f"verified every counter and path in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        with path.open("rb") as stream:
            again = network_import(stream=stream, file_format=args.format, actor=SYSTEM, dry_run=False)
        reimport = time.perf_counter() - t0
        if again.totals.get("unchanged") != args.rows:
            raise SystemExit(f"re-import changed something: {again.totals}")
        print(f"re-import of the same file: {again.totals['unchanged']:,} unchanged in {reimport:.1f} s")

        # the same import once more into an empty table, with tracemalloc on (it slows Python down a lot,
        # so the timed run above runs without it); then a file of a tenth of the rows: flat memory means
        # the same peak
        from django.db import connection

        peaks = {}
        tenth = Path(tmp) / "tenth.csv"
        write_file(tenth, max(args.rows // 10, 1), args.seed)
        if args.format == "xlsx":
            from saleor_wechat_distribution.tabular import write_xlsx

            with tenth.open(encoding="utf-8") as f:
                reader = csv.reader(f)
                columns = next(reader)
                write_xlsx(str(Path(tmp) / "tenth.xlsx"), columns, reader)
            tenth = Path(tmp) / "tenth.xlsx"
        traced_seconds = 0.0
        for name, file, count in (("tenth", tenth, max(args.rows // 10, 1)), ("full", path, args.rows)):
            with connection.cursor() as cur:
                cur.execute(f"TRUNCATE {TABLE} CASCADE")
            tracemalloc.start()
            t0 = time.perf_counter()
            with file.open("rb") as stream:
                traced = network_import(stream=stream, file_format=args.format, actor=SYSTEM, dry_run=False)
            if name == "full":
                traced_seconds = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            if not traced.ok:
                raise SystemExit("traced import failed")
            verify(count)
            peaks[name] = peak
            print(f"traced import of {count:,} rows: peak Python heap {peak / 1e6:.1f} MB")
        peak = peaks["full"]
        print(f"peak growth from {max(args.rows // 10, 1):,} to {args.rows:,} rows:"
              f" {(peaks['full'] - peaks['tenth']) / 1e6:+.1f} MB")  # fmt: skip
    goal = seconds < GOAL_SECONDS
    print(f"goal ({args.rows:,} rows < {GOAL_SECONDS:.0f} s): {'met' if goal else 'MISSED'}")
    out = {
        "rows": args.rows, "seconds": round(seconds, 2), "peak_mb": round(peak / 1e6, 1),
        "peak_mb_tenth": round(peaks["tenth"] / 1e6, 1),
        "format": args.format,
        "reimport_seconds": round(reimport, 2), "traced_seconds": round(traced_seconds, 2),
        "goal_met": goal, "cpus": os.cpu_count(),
        "load": round(os.getloadavg()[0], 2), **checks,
    }  # fmt: skip
    print(json.dumps(out))


if __name__ == "__main__":
    main()
