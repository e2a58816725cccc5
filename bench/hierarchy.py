"""Benchmark of the distributor hierarchy at scale: materialized path (ours) against an adjacency list.

Why: every distributor's home page shows its upline (ancestors), its team size and pages of its team
by level, and every application inserts a node under an inviter. The design (treebeard MP_Node,
``path`` COLLATE "C", an index on (depth, path), a maintained ``team_size`` counter) claims each of
these stays a few milliseconds on a network of a million distributors. This script checks the claim
on real PostgreSQL with the package's real code paths, next to the naive alternative.

What it does:

1. Builds a tree of ``--nodes`` distributors (default 1,000,000) with PostgreSQL ``COPY``: ~50
   top-level enterprises, fan-out decaying with depth down to depth 8, one top-level node holding 15 %
   of the tree, a few % pending/rejected leaves and suspended members. Paths are treebeard-valid
   (4-character base-36 steps), ``numchild`` and ``team_size`` (approved = active or suspended
   descendants) are computed while generating. Secondary indexes and constraints are dropped during
   the load and recreated from their own catalog definitions, then ``VACUUM ANALYZE``. The load is
   verified: every path's parent exists, every ``depth`` and ``numchild`` is right, and ``team_size``
   is checked against a ``COUNT`` for a sample of nodes (and for all nodes in one grouped query).
2. Times (median in ms) our reads through the ORM, as the selectors run them:
   ancestors of a depth-8 node (``path__in=node.ancestor_paths()``), the subtree size of the biggest
   top-level node (its ``team_size`` by pk) and a 20-row page of that subtree at relative level 3
   (``path__startswith`` + ``depth`` + status, ordered by path).
3. Times the same reads on ``bench_adjacency(id, parent_id, status)`` filled from the same rows and
   indexed on ``parent_id``: one query per level walking up, a BFS counting the subtree one query per
   level, and a 3-level walk then a 20-row page. Raw SQL on a narrow table, so the baseline is
   flattered, not handicapped. Informational extras: the subtree count as one prefix-range ``COUNT``
   (no counter) and as a recursive CTE, and our ancestors/page queries as raw SQL (the ORM's share).
4. Times ``--inserts`` (default 10,000) applications through ``services.distributor_apply`` with
   auto-approve on, each under a random pre-existing active distributor (individuals may sit under
   anyone), one transaction each with ``synchronous_commit`` as the server has it; then re-checks
   ``numchild``/``team_size`` around the touched nodes. Reports statements per insert, their time in
   ``cursor.execute`` and this process's CPU time, to tell database cost from Python (ORM) cost, and
   the load average, since other work on the machine inflates every number.
5. Prints human-readable lines and, as the very last line, one JSON object (see ``main``).

The goal: every read median < 5 ms, the counter >= 20x faster than the BFS count, < 5 ms per insert.

Usage: ``python bench/hierarchy.py [--nodes N] [--database-url URL]``. Without ``--database-url`` the
database ``wd_bench`` on postgres://postgres@127.0.0.1:5432 is dropped, recreated and migrated on every
run. With ``--database-url`` the database is migrated and must hold no distributors unless
``--truncate`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import psycopg
from benchdb import bench_database, drop_secondary_indexes, recreate_database, setup_django, with_dbname
from psycopg import sql
from treepaths import STEPLEN, referral_code, step

if TYPE_CHECKING:
    from saleor_wechat_distribution.models import Distributor

TABLE = "wechat_distribution_distributor"
ADJ_TABLE = "bench_adjacency"
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = bench_database("wd_bench")

MAX_DEPTH = 8
ROOTS = 50
BIG_ROOT_SHARE = 0.15  # share of the non-root nodes that sit under top-level node #1
#: share of the non-root nodes at depths 2..8: fan-out per node decays from ~60 to <1 with depth
LEVEL_SHARES = (0.003, 0.03, 0.12, 0.25, 0.28, 0.2, 0.117)
FANOUT_SIGMA = 1.2  # lognormal spread of "how good a recruiter" a node is: a few nodes have hundreds
PENDING, SUSPENDED, REJECTED = 0.03, 0.01, 0.005  # the rest are active
MEMBER = ("active", "suspended")
ENTERPRISE_CHILD_SHARE = {2: 0.15, 3: 0.05}  # enterprises only under enterprises, near the top

COPY_NULL = "\\N"
USER_ID_BASE = 10_000_000
INSERT_USER_ID_BASE = 900_000_000_000

GOAL_READ_MS = 5.0
GOAL_RATIO_SUBTREE = 20.0
GOAL_INSERT_MS = 5.0


# --------------------------------------------------------------------------------------------------
# Tree generation (pure Python, deterministic for a seed)
# --------------------------------------------------------------------------------------------------


@dataclass
class Tree:
    """Nodes by index; a node's id is index + 1 and ids grow level by level (parents before children)."""

    parent: list[int] = field(default_factory=list)  # -1 for top-level nodes
    depth: list[int] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    root: list[int] = field(default_factory=list)  # index of the top-level ancestor (self for roots)
    numchild: list[int] = field(default_factory=list)
    team_size: list[int] = field(default_factory=list)
    levels: list[list[int]] = field(default_factory=list)  # node indexes by depth - 1

    def __len__(self) -> int:
        return len(self.parent)

    def add(self, parent: int, status: str, kind: str) -> int:
        index = len(self.parent)
        if parent < 0:
            self.depth.append(1)
            self.path.append(step(index + 1))
            self.root.append(index)
        else:
            self.numchild[parent] += 1
            self.depth.append(self.depth[parent] + 1)
            self.path.append(self.path[parent] + step(self.numchild[parent]))
            self.root.append(self.root[parent])
        self.parent.append(parent)
        self.status.append(status)
        self.kind.append(kind)
        self.numchild.append(0)
        self.team_size.append(0)
        return index


def level_counts(nodes: int) -> list[int]:
    roots = ROOTS
    rest = nodes - roots
    total_share = sum(LEVEL_SHARES)
    counts = [roots] + [int(rest * share / total_share) for share in LEVEL_SHARES]
    counts[1] = max(counts[1], 2 * roots)  # small trees: every enterprise can have a branch
    counts[4] += nodes - sum(counts)  # rounding (or the bump above) goes to the widest level
    return counts


def _random_status(rng: random.Random) -> str:
    r = rng.random()
    if r < PENDING:
        return "pending"
    if r < PENDING + SUSPENDED:
        return "suspended"
    if r < PENDING + SUSPENDED + REJECTED:
        return "rejected"
    return "active"


def _pick_parents(rng: random.Random, candidates: list[int], count: int, sigma: float) -> list[int]:
    if count <= 0:
        return []
    if not candidates:
        raise SystemExit("tree generation ran out of approved parents; use more --nodes")
    weights = list(accumulate(rng.lognormvariate(0.0, sigma) for _ in candidates))
    return rng.choices(candidates, cum_weights=weights, k=count)


def generate_tree(nodes: int, seed: int) -> Tree:
    """Grow the tree level by level; pending and rejected nodes never get children (they cannot invite)."""
    rng = random.Random(seed)
    tree = Tree()
    counts = level_counts(nodes)
    tree.levels.append([tree.add(-1, "active", "enterprise") for _ in range(counts[0])])
    for depth in range(2, MAX_DEPTH + 1):
        previous = tree.levels[-1]
        big = [i for i in previous if tree.root[i] == 0 and tree.status[i] in MEMBER]
        rest = [i for i in previous if tree.root[i] != 0 and tree.status[i] in MEMBER]
        count = counts[depth - 1]
        n_big = round(count * BIG_ROOT_SHARE)
        # the top-level enterprises differ in size too (sigma 1.0), recruiters within them more so
        parents = _pick_parents(rng, big, n_big, FANOUT_SIGMA) + _pick_parents(
            rng, rest, count - n_big, 1.0 if depth == 2 else FANOUT_SIGMA
        )
        rng.shuffle(parents)  # ids follow time, and applications arrive interleaved across the tree
        enterprise_share = ENTERPRISE_CHILD_SHARE.get(depth, 0.0)
        level = []
        for parent in parents:
            kind = (
                "enterprise"
                if tree.kind[parent] == "enterprise" and rng.random() < enterprise_share
                else "individual"
            )
            level.append(tree.add(parent, _random_status(rng), kind))
        tree.levels.append(level)
    for index in range(len(tree) - 1, -1, -1):  # children have larger indexes than their parents
        parent = tree.parent[index]
        if parent >= 0:
            tree.team_size[parent] += tree.team_size[index] + (tree.status[index] in MEMBER)
    return tree


def copy_lines(tree: Tree, chunk: int = 20_000) -> Iterator[str]:
    """The distributor rows in COPY text format, in id order, ``chunk`` rows at a time."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    spacing = 2 * 365 * 86400 / len(tree)  # two years of applications
    lines: list[str] = []
    for index in range(len(tree)):
        node_id = index + 1
        user_id = USER_ID_BASE + node_id
        created = (start + timedelta(seconds=index * spacing)).isoformat()
        status = tree.status[index]
        parent = tree.parent[index]
        lines.append(
            f"{node_id}\t{tree.path[index]}\t{tree.depth[index]}\t{tree.numchild[index]}\t{user_id}\t"
            f"bench{user_id}@example.com\t{tree.kind[index]}\t{status}\tDistributor {node_id}\t"
            f"{referral_code(node_id)}\t{parent + 1 if parent >= 0 else COPY_NULL}\t{tree.team_size[index]}\t"
            f"{created}\t{created}\t{created if status in MEMBER else COPY_NULL}\t\n"
        )
        if len(lines) >= chunk:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


COPY_COLUMNS = (
    "id",
    "path",
    "depth",
    "numchild",
    "user_id",
    "email",
    "kind",
    "status",
    "display_name",
    "referral_code",
    "inviter_id",
    "team_size",
    "created_at",
    "updated_at",
    "approved_at",
    "phone",  # the import's column (empty here); NOT NULL without a database default
)


# --------------------------------------------------------------------------------------------------
# Database setup and bulk load
# --------------------------------------------------------------------------------------------------


def bulk_load(database_url: str, tree: Tree) -> dict[str, float]:
    timings: dict[str, float] = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        restore = drop_secondary_indexes(conn, TABLE)
        t0 = time.perf_counter()
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(TABLE), sql.SQL(", ").join(map(sql.Identifier, COPY_COLUMNS))
        )
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for block in copy_lines(tree):
                copy.write(block)
        timings["copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for statement in restore:
            conn.execute(statement)
        conn.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))").format(
                sql.Literal(TABLE), sql.Identifier(TABLE)
            )
        )
        timings["indexes_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(ADJ_TABLE)))
        create = "CREATE TABLE {} (id bigint PRIMARY KEY, parent_id bigint, status varchar(16) NOT NULL)"
        conn.execute(sql.SQL(create).format(sql.Identifier(ADJ_TABLE)))
        # the parent is derived from the path, not taken from the generator: this also checks the paths
        conn.execute(
            sql.SQL(
                "INSERT INTO {adj} (id, parent_id, status) SELECT c.id, p.id, c.status FROM {t} c"
                " LEFT JOIN {t} p ON p.path = left(c.path, -{steplen}) ORDER BY c.id"
            ).format(adj=sql.Identifier(ADJ_TABLE), t=sql.Identifier(TABLE), steplen=sql.Literal(STEPLEN))
        )
        index = "CREATE INDEX bench_adjacency_parent_id ON {} (parent_id)"
        conn.execute(sql.SQL(index).format(sql.Identifier(ADJ_TABLE)))
        timings["adjacency_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(TABLE)))
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(ADJ_TABLE)))
        timings["analyze_s"] = time.perf_counter() - t0
    return timings


# --------------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------------


def count_members_below(path: str, depth: int) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {TABLE}"
            " WHERE path LIKE %s AND depth > %s AND status IN ('active', 'suspended')",
            [path + "%", depth],
        )
        return cur.fetchone()[0]


def count_children(path: str, depth: int) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {TABLE} WHERE path LIKE %s AND depth = %s", [path + "%", depth + 1]
        )
        return cur.fetchone()[0]


def spot_check(ids: list[int]) -> int:
    """team_size and numchild of these distributors against COUNT queries; returns how many were checked."""
    from saleor_wechat_distribution.models import Distributor

    for node in Distributor.objects.filter(pk__in=ids).order_by("pk"):
        members = count_members_below(node.path, node.depth)
        children = count_children(node.path, node.depth)
        if members != node.team_size or children != node.numchild:
            raise SystemExit(
                f"spot check failed for id {node.pk} ({node.path}): team_size {node.team_size}"
                f" vs COUNT {members}, numchild {node.numchild} vs COUNT {children}"
            )
    return len(ids)


def verify_whole_tree() -> dict[str, int]:
    """Set-based checks over every row (a few seconds at 1M, unlike treebeard's per-node find_problems)."""
    from django.db import connection

    checks = {
        "bad_chars_or_steplen": f"SELECT count(*) FROM {TABLE} WHERE path !~ '^([0-9A-Z]{{4}})+$'"
        f" OR length(path) <> depth * {STEPLEN}",
        "orphans": f"SELECT count(*) FROM {ADJ_TABLE} a JOIN {TABLE} d ON d.id = a.id"
        " WHERE a.parent_id IS NULL AND d.depth > 1",
        "wrong_numchild": f"SELECT count(*) FROM {TABLE} d LEFT JOIN (SELECT parent_id, count(*) AS n"
        f" FROM {ADJ_TABLE} GROUP BY parent_id) k ON k.parent_id = d.id WHERE d.numchild <> coalesce(k.n, 0)",
        "pending_with_children": f"SELECT count(*) FROM {TABLE} WHERE status IN ('pending', 'rejected')"
        " AND numchild > 0",
        "enterprise_under_individual": f"SELECT count(*) FROM {TABLE} c JOIN {TABLE} p"
        f" ON p.path = left(c.path, -{STEPLEN}) WHERE c.kind = 'enterprise' AND p.kind = 'individual'",
        # each approved node adds one to every ancestor: expand ancestors by prefix and group
        "wrong_team_size": f"SELECT count(*) FROM {TABLE} d LEFT JOIN (SELECT left(path, {STEPLEN} * k) AS p,"
        f" count(*) AS n FROM {TABLE}, generate_series(1, depth - 1) AS k"
        " WHERE status IN ('active', 'suspended') GROUP BY 1) t ON t.p = d.path"
        " WHERE d.team_size <> coalesce(t.n, 0)",
    }
    found: dict[str, int] = {}
    with connection.cursor() as cur:
        cur.execute("SET work_mem = '256MB'")
        for name, query in checks.items():
            cur.execute(query)
            found[name] = cur.fetchone()[0]
        cur.execute("RESET work_mem")
    return found


def check_treebeard_helpers() -> None:
    from saleor_wechat_distribution.models import Distributor

    for position in (1, 35, 36, 1295, 1296, 46655, 46656, 36**4 - 1):
        expected = Distributor._get_path("0001", 2, position)
        if "0001" + step(position) != expected:
            raise SystemExit(f"path step {position}: ours {step(position)!r}, treebeard {expected!r}")


# --------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------


def median_ms(fn: Callable[[int], object], reps: int) -> float:
    """Median wall time of ``fn(i)`` over ``reps`` calls, after one warm-up call."""
    fn(0)
    samples = []
    for i in range(reps):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def adjacency_ancestors(start_parent_id: int | None) -> list[tuple[int, int | None, str]]:
    from django.db import connection

    chain = []
    with connection.cursor() as cur:
        current = start_parent_id
        while current is not None:
            cur.execute(f"SELECT id, parent_id, status FROM {ADJ_TABLE} WHERE id = %s", [current])
            row = cur.fetchone()
            chain.append(row)
            current = row[1]
    chain.reverse()
    return chain


def adjacency_subtree_count(root_id: int) -> int:
    from django.db import connection

    members = 0
    frontier = [root_id]
    with connection.cursor() as cur:
        while frontier:
            cur.execute(f"SELECT id, status FROM {ADJ_TABLE} WHERE parent_id = ANY(%s)", [frontier])
            rows = cur.fetchall()
            members += sum(1 for _, status in rows if status in MEMBER)
            frontier = [row[0] for row in rows]
    return members


def adjacency_level_page(root_id: int, levels: int = 3, size: int = 20) -> list[tuple[int, str]]:
    from django.db import connection

    frontier = [root_id]
    with connection.cursor() as cur:
        for _ in range(levels - 1):
            cur.execute(f"SELECT id FROM {ADJ_TABLE} WHERE parent_id = ANY(%s)", [frontier])
            frontier = [row[0] for row in cur.fetchall()]
        cur.execute(
            f"SELECT id, status FROM {ADJ_TABLE}"
            " WHERE parent_id = ANY(%s) AND status IN ('active', 'suspended') ORDER BY id LIMIT %s",
            [frontier, size],
        )
        return cur.fetchall()


def adjacency_cte_count(root_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"WITH RECURSIVE sub AS (SELECT id, status FROM {ADJ_TABLE} WHERE parent_id = %s"
            f" UNION ALL SELECT a.id, a.status FROM {ADJ_TABLE} a JOIN sub ON a.parent_id = sub.id)"
            " SELECT count(*) FROM sub WHERE status IN ('active', 'suspended')",
            [root_id],
        )
        return cur.fetchone()[0]


def our_ancestors(node: Distributor) -> list[Distributor]:
    from saleor_wechat_distribution.models import Distributor

    return list(Distributor.objects.filter(path__in=node.ancestor_paths()))


def our_team_size(pk: int) -> int:
    from saleor_wechat_distribution.models import Distributor

    return Distributor.objects.filter(pk=pk).values_list("team_size", flat=True).get()


def our_level_page(node: Distributor, levels: int = 3, size: int = 20) -> list[Distributor]:
    from saleor_wechat_distribution.models import Distributor

    return list(
        Distributor.objects.filter(
            path__startswith=node.path, depth=node.depth + levels, status__in=list(MEMBER)
        ).order_by("path")[:size]
    )


def raw_ancestors(paths: list[str]) -> list[tuple[int, str, str]]:
    """Our ancestors query without the ORM, selecting as little as the adjacency baseline does."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT id, path, status FROM {TABLE} WHERE path = ANY(%s)", [paths])
        return cur.fetchall()


def raw_level_page(path: str, depth: int, size: int = 20) -> list[tuple[int, str, str]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, path, status FROM {TABLE} WHERE path LIKE %s AND depth = %s"
            " AND status IN ('active', 'suspended') ORDER BY path LIMIT %s",
            [path + "%", depth, size],
        )
        return cur.fetchall()


def our_prefix_count(node: Distributor) -> int:
    from saleor_wechat_distribution.models import Distributor

    return Distributor.objects.filter(
        path__startswith=node.path, depth__gt=node.depth, status__in=list(MEMBER)
    ).count()


def explain(node: Distributor, deep: Distributor) -> None:
    from saleor_wechat_distribution.models import Distributor

    queries = {
        "ancestors": Distributor.objects.filter(path__in=deep.ancestor_paths()),
        "team_size": Distributor.objects.filter(pk=node.pk).values_list("team_size", flat=True),
        "level page": Distributor.objects.filter(
            path__startswith=node.path, depth=node.depth + 3, status__in=list(MEMBER)
        ).order_by("path")[:20],
    }
    for name, queryset in queries.items():
        print(f"  EXPLAIN {name}:")
        for line in queryset.explain(analyze=True, buffers=True).splitlines():
            print(f"    {line}")


class StatementClock:
    """Django execute wrapper: how many statements ran and how long they took on the wire and server."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], statement: str, params: Any, many: bool, context: Any
    ) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0
            self.count += 1


def bench_inserts(tree: Tree, count: int, seed: int) -> dict[str, float]:
    from django.db import connection

    from saleor_wechat_distribution import host
    from saleor_wechat_distribution.conf import ProgramConfig
    from saleor_wechat_distribution.ports import Principal
    from saleor_wechat_distribution.services.distributors import distributor_apply

    rng = random.Random(seed + 1)
    active = [i for i in range(len(tree)) if tree.status[i] == "active"]
    parents = rng.choices(active, k=count)
    saved = host.current()
    host.update(program_config=lambda channel: ProgramConfig(auto_approve=True))
    latencies = []
    clock = StatementClock()  # BEGIN/COMMIT are not statements here: they are not counted
    try:
        t_start, cpu_start = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(clock):
            for n, parent in enumerate(parents):
                user_id = INSERT_USER_ID_BASE + n
                t0 = time.perf_counter()
                distributor_apply(
                    principal=Principal(user_id=user_id, email=f"new{user_id}@example.com"),
                    display_name=f"New distributor {n}",
                    kind="individual",  # allowed under enterprises and individuals alike
                    inviter_code=referral_code(parent + 1),
                )
                latencies.append((time.perf_counter() - t0) * 1000)
        total_ms = (time.perf_counter() - t_start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
    finally:
        host.install(saved)
    latencies.sort()
    # re-check the counters where the inserts landed: some parents, their top-level nodes, the big root
    touched = {parent + 1 for parent in rng.sample(parents, min(20, len(parents)))}
    touched |= {tree.root[parent] + 1 for parent in parents[:10]} | {1}
    spot_check(sorted(touched))
    return {
        "ms_per_node": total_ms / count,
        "p50_ms": latencies[len(latencies) // 2],
        "p95_ms": latencies[int(len(latencies) * 0.95)],
        "max_ms": latencies[-1],
        "total_s": total_ms / 1000,
        "checked": len(touched),
        "statements_per_node": clock.count / count,
        "statement_ms_per_node": clock.seconds * 1000 / count,
        "client_cpu_ms_per_node": cpu_ms / count,
    }


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000, help="tree size (default 1,000,000)")
    parser.add_argument(
        "--database-url",
        help=f"use this PostgreSQL database instead of recreating {BENCH_DB} on {DEFAULT_ADMIN_URL}",
    )
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="server to (re)create the bench DB on")
    parser.add_argument("--truncate", action="store_true", help="with --database-url: empty its distributors")
    parser.add_argument("--reps", type=int, default=50, help="repetitions of the fast reads")
    parser.add_argument("--slow-reps", type=int, default=5, help="repetitions of the slow baseline reads")
    parser.add_argument("--inserts", type=int, default=10_000, help="applications through distributor_apply")
    parser.add_argument("--seed", type=int, default=20241125)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of our three reads")
    args = parser.parse_args(argv)
    if args.nodes < 10_000:
        parser.error("--nodes must be at least 10,000")
    return args


def prepare_database(args: argparse.Namespace) -> str:
    if args.database_url:
        url: str = args.database_url
        setup_django(url)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE})")
            if cur.fetchone()[0]:
                if not args.truncate:
                    raise SystemExit(f"{TABLE} is not empty in {url}; pass --truncate to empty it")
                cur.execute(f"TRUNCATE {TABLE} CASCADE")
        return url
    url = with_dbname(args.admin_url, BENCH_DB)
    recreate_database(args.admin_url, BENCH_DB)
    setup_django(url)
    return url


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    wall0 = time.perf_counter()
    url = prepare_database(args)
    from saleor_wechat_distribution.models import Distributor

    check_treebeard_helpers()
    parts = urlsplit(url)
    print(f"database: {parts.hostname}:{parts.port or 5432}{parts.path}")

    t0 = time.perf_counter()
    tree = generate_tree(args.nodes, args.seed)
    gen_s = time.perf_counter() - t0
    load = bulk_load(url, tree)
    build_s = time.perf_counter() - t0
    per_depth = [len(level) for level in tree.levels]
    big_subtree = sum(1 for r in tree.root if r == 0)
    big_share = big_subtree / len(tree)
    print(
        f"built {len(tree):,} distributors in {build_s:.1f} s (generate {gen_s:.1f} s,"
        f" COPY {load['copy_s']:.1f} s, indexes {load['indexes_s']:.1f} s,"
        f" adjacency {load['adjacency_s']:.1f} s, vacuum analyze {load['analyze_s']:.1f} s)"
    )
    print(f"  nodes per depth 1..{MAX_DEPTH}: {per_depth}")
    print(
        f"  biggest top-level node: id 1, {big_subtree:,} nodes in its subtree ({big_share:.1%}),"
        f" team_size {tree.team_size[0]:,}; max children of one node: {max(tree.numchild):,}"
    )

    t0 = time.perf_counter()
    problems = verify_whole_tree()
    if any(problems.values()):
        raise SystemExit(f"tree verification failed: {problems}")
    rng = random.Random(args.seed + 2)
    sample = [1] + [rng.choice(level) + 1 for level in tree.levels[:6] for _ in range(3)]
    spot_check(sample)
    # treebeard's find_problems runs a query per node (minutes at 1M): on one mid-sized subtree only
    candidates = [i for i in tree.levels[2] if 200 <= tree.team_size[i] <= 2000] or [tree.levels[2][0]]
    checked = Distributor.objects.get(pk=candidates[0] + 1)
    tb_problems = Distributor.objects.find_problems(parent=checked)
    if any(tb_problems):
        raise SystemExit(f"treebeard find_problems (subtree of id {checked.pk}): {tb_problems}")
    print(
        f"verified in {time.perf_counter() - t0:.1f} s:"
        " every row (paths, parents, depth, numchild, team_size),"
        f" COUNT spot check of {len(sample)} nodes, treebeard find_problems on the subtree of id {checked.pk}"
        f" ({checked.team_size + 1} nodes): no problems"
    )

    # ---- reads -----------------------------------------------------------------------------------
    big = Distributor.objects.get(pk=1)
    deep_ids = rng.sample(tree.levels[MAX_DEPTH - 1], min(args.reps, len(tree.levels[MAX_DEPTH - 1])))
    deep_nodes = list(Distributor.objects.filter(pk__in=[i + 1 for i in deep_ids]))
    deep_parent = {node.pk: tree.parent[node.pk - 1] + 1 for node in deep_nodes}
    assert all(node.depth == MAX_DEPTH for node in deep_nodes)
    assert len(our_ancestors(deep_nodes[0])) == MAX_DEPTH - 1
    assert len(adjacency_ancestors(deep_parent[deep_nodes[0].pk])) == MAX_DEPTH - 1
    assert our_team_size(big.pk) == adjacency_subtree_count(big.pk) == adjacency_cte_count(big.pk)
    assert len(our_level_page(big)) == len(adjacency_level_page(big.pk)) == 20
    assert len(raw_ancestors(deep_nodes[0].ancestor_paths())) == MAX_DEPTH - 1
    assert [row[0] for row in raw_level_page(big.path, big.depth + 3)] == [n.pk for n in our_level_page(big)]
    if args.explain:
        explain(big, deep_nodes[0])

    def pick(i: int) -> Distributor:
        return deep_nodes[i % len(deep_nodes)]

    res: dict[str, Any] = {"nodes": len(tree), "cpus": os.cpu_count()}
    res["load_before_reads"] = os.getloadavg()[0]
    res["ancestors_ms"] = median_ms(lambda i: our_ancestors(pick(i)), args.reps)
    res["subtree_count_ms"] = median_ms(lambda i: our_team_size(big.pk), args.reps)
    res["subtree_page_ms"] = median_ms(lambda i: our_level_page(big), args.reps)
    res["baseline_ancestors_ms"] = median_ms(
        lambda i: adjacency_ancestors(deep_parent[pick(i).pk]), args.reps
    )
    res["baseline_subtree_count_ms"] = median_ms(lambda i: adjacency_subtree_count(big.pk), args.slow_reps)
    res["baseline_subtree_page_ms"] = median_ms(lambda i: adjacency_level_page(big.pk), args.slow_reps)
    res["raw_ancestors_ms"] = median_ms(lambda i: raw_ancestors(pick(i).ancestor_paths()), args.reps)
    res["raw_subtree_page_ms"] = median_ms(lambda i: raw_level_page(big.path, big.depth + 3), args.reps)
    res["mp_prefix_count_ms"] = median_ms(lambda i: our_prefix_count(big), args.slow_reps)
    res["baseline_cte_count_ms"] = median_ms(lambda i: adjacency_cte_count(big.pk), args.slow_reps)
    for name in ("ancestors", "subtree_count", "subtree_page"):
        res[f"ratio_{name}"] = res[f"baseline_{name}_ms"] / res[f"{name}_ms"]

    print(f"reads (median ms; ours over {args.reps} runs, slow baselines over {args.slow_reps}):")
    print(
        f"  ancestors of a depth-{MAX_DEPTH} node:   ours {res['ancestors_ms']:8.3f}"
        f"   adjacency walk (7 queries) {res['baseline_ancestors_ms']:9.3f}   x{res['ratio_ancestors']:.1f}"
    )
    print(
        f"  team size of id 1 ({big.team_size:,}):  ours {res['subtree_count_ms']:8.3f}"
        f"   adjacency BFS             {res['baseline_subtree_count_ms']:9.3f}"
        f"   x{res['ratio_subtree_count']:.1f}"
    )
    print(
        f"  level-3 page of id 1 (20 rows): ours {res['subtree_page_ms']:8.3f}"
        f"   adjacency 3-level walk    {res['baseline_subtree_page_ms']:9.3f}"
        f"   x{res['ratio_subtree_page']:.1f}"
    )
    print(
        f"  (info) our ancestors / level page as raw SQL without the ORM: {res['raw_ancestors_ms']:.3f} /"
        f" {res['raw_subtree_page_ms']:.3f} ms (the rest of ours is Django building model instances)"
    )
    print(
        f"  (info) team size without the counter: prefix-range COUNT {res['mp_prefix_count_ms']:.1f} ms,"
        f" adjacency recursive CTE {res['baseline_cte_count_ms']:.1f} ms"
    )

    # ---- inserts ---------------------------------------------------------------------------------
    ins = bench_inserts(tree, args.inserts, args.seed)
    res["insert_ms_per_node"] = ins["ms_per_node"]
    res["insert_p50_ms"] = ins["p50_ms"]
    res["insert_p95_ms"] = ins["p95_ms"]
    res["insert_statements_per_node"] = ins["statements_per_node"]
    res["insert_statement_ms_per_node"] = ins["statement_ms_per_node"]
    res["insert_client_cpu_ms_per_node"] = ins["client_cpu_ms_per_node"]
    print(
        f"inserts: {args.inserts:,} x distributor_apply (auto-approve, random active inviters) in"
        f" {ins['total_s']:.1f} s = {ins['ms_per_node']:.3f} ms/node (p50 {ins['p50_ms']:.2f},"
        f" p95 {ins['p95_ms']:.2f}, max {ins['max_ms']:.1f}); counters re-checked on {ins['checked']} nodes"
    )
    print(
        f"  per node: {ins['statements_per_node']:.1f} SQL statements taking"
        f" {ins['statement_ms_per_node']:.2f} ms in cursor.execute (wire + server);"
        " the rest is Python (ORM, treebeard, transaction handling)"
    )
    print(f"  this process used {ins['client_cpu_ms_per_node']:.2f} ms of CPU per node (Python side)")

    misses = [
        f"{name} read {res[f'{name}_ms']:.2f} ms >= {GOAL_READ_MS}"
        for name in ("ancestors", "subtree_count", "subtree_page")
        if res[f"{name}_ms"] >= GOAL_READ_MS
    ]
    if res["ratio_subtree_count"] < GOAL_RATIO_SUBTREE:
        misses.append(f"subtree count ratio {res['ratio_subtree_count']:.1f} < {GOAL_RATIO_SUBTREE}")
    if res["insert_ms_per_node"] >= GOAL_INSERT_MS:
        misses.append(f"insert {res['insert_ms_per_node']:.2f} ms/node >= {GOAL_INSERT_MS}")
    res["goal_met"] = not misses
    res["load_after_inserts"] = os.getloadavg()[0]
    busy = max(res["load_before_reads"], res["load_after_inserts"])
    if busy > (os.cpu_count() or 1):  # this client and its server backend alone stay around 1-1.5
        print(
            f"note: 1-minute load average reached {busy:.1f} on {os.cpu_count()} CPUs: other processes"
            " competed with this benchmark and the database, so the timings above are pessimistic"
        )
    res["big_root_share"] = big_share
    res["build_s"] = build_s
    res["wall_s"] = time.perf_counter() - wall0
    print(
        f"goal (reads < {GOAL_READ_MS} ms, subtree count >= {GOAL_RATIO_SUBTREE:g}x,"
        f" insert < {GOAL_INSERT_MS} ms): {'met' if not misses else 'MISSED: ' + '; '.join(misses)}"
    )
    print(f"total wall time {res['wall_s']:.1f} s")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}))


if __name__ == "__main__":
    main()
