"""The data set of ``bench/center.py``, generated set-based inside PostgreSQL (no rows cross the wire).

- Distributors: ``distributors`` rows, 20 roots and seven more levels (2 %, 5 %, 10 %, 17 %, 24 %, 24 %
  and 18 % of the rest), ids ascending level by level; each node's parent is drawn from the level above
  with a skew (``random()^1.3``: earlier parents get more children); treebeard-valid paths (4-character
  base-36 steps numbered per parent), ``numchild`` and ``team_size`` (approved descendants) computed from
  the paths. 1 % suspended; pending applicants only on the deepest level (they have no team).
- Commissions: ``commissions`` rows over the last 365 days (ids ascending with time), each paying an
  active distributor drawn with a strong skew (``random()^3`` over the active ids in id order: the top of
  the network earns most; the busiest distributor holds about 1 % of all rows), level 1 (75 %) or 2.
  Rows of the last 15 days are frozen (until 7-15 days after their creation; 10 % not delivered yet),
  pending (20 %) or cancelled (10 %); older rows are available (settled 10 days after creation; 3 %
  partly refunded) or cancelled (10 %).
- The ledger: one entry per available commission (its net), and per distributor with money a few
  withdrawals (mostly paid; 5 % still open) with their holds, as the services write them.

``build`` records what it built in ``bench_center_meta``; ``built`` tells whether the database already
holds that data set, so runs keep it (``--rebuild`` drops it).
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from benchdb import drop_secondary_indexes

ROOTS = 20
LEVEL_SHARES = (0.02, 0.05, 0.10, 0.17, 0.24, 0.24, 0.18)
CHANNEL = "bench-channel"
DIST = "wechat_distribution_distributor"
COMMISSION = "wechat_distribution_commission"
LEDGER = "wechat_distribution_ledgerentry"
WITHDRAWAL = "wechat_distribution_withdrawal"
META = "bench_center_meta"

STEP_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.step(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', ((n / (36 ^ k)::bigint) % 36)::int + 1, 1),
                    '' ORDER BY k DESC)
  FROM generate_series(0, 3) AS k
$$"""

DIST_COLUMNS = (
    "id, path, depth, numchild, user_id, email, phone, external_id, kind, status, display_name,"
    " referral_code, team_size, created_at, updated_at, approved_at"
)


def _level_sql(depth: int, first_id: int, count: int, parent_first: int, parent_count: int) -> str:
    pending = 0.15 if depth == 1 + len(LEVEL_SHARES) else 0.0  # applicants: leaves of the deepest level
    status = f"CASE WHEN k.r < {pending} THEN 'pending' WHEN k.r > 0.99 THEN 'suspended' ELSE 'active' END"
    parent = (
        "NULL::bigint"
        if depth == 1
        else f"{parent_first} + floor(power(random(), 1.3) * {parent_count})::bigint"
    )
    return f"""
    WITH kids AS (
      SELECT g AS id, {parent} AS parent_id, random() AS r
      FROM generate_series({first_id}, {first_id + count - 1}) AS g
    ), placed AS (
      SELECT k.id, {status} AS status,
             coalesce(p.path, '')
               || pg_temp.step(row_number() OVER (PARTITION BY k.parent_id ORDER BY k.id)) AS path
      FROM kids k LEFT JOIN {DIST} p ON p.id = k.parent_id
    )
    INSERT INTO {DIST} ({DIST_COLUMNS})
    SELECT id, path, {depth}, 0, 10000000 + id, 'user' || id || '@bench.example', '', NULL,
           CASE WHEN {depth} <= 2 THEN 'enterprise' ELSE 'individual' END, status,
           'Distributor ' || id, 'B' || upper(lpad(to_hex(id), 9, '0')), 0,
           now() - interval '400 days' + id * interval '1 second', now(),
           CASE WHEN status <> 'pending' THEN now() - interval '400 days' + id * interval '1 second' END
    FROM placed
    """


def _commission_sql(rows: int) -> str:
    return f"""
    WITH active AS (SELECT array_agg(id ORDER BY id) AS ids FROM {DIST} WHERE status = 'active'),
    raw AS (
      SELECT g,
             now() - interval '365 days' + (g::float8 / {rows}) * interval '365 days' AS created_at,
             random() AS r1, random() AS r2, random() AS r3,
             round((1 + random() * 499)::numeric, 2) AS amount,
             a.ids[1 + floor(power(random(), 3) * array_length(a.ids, 1))::int] AS distributor_id
      FROM generate_series(1, {rows}) AS g, active a
    ), shaped AS (
      SELECT *, CASE
          WHEN created_at > now() - interval '15 days' THEN
            CASE WHEN r1 < 0.7 THEN 'frozen' WHEN r1 < 0.9 THEN 'pending' ELSE 'cancelled' END
          ELSE CASE WHEN r1 < 0.9 THEN 'available' ELSE 'cancelled' END
        END AS status
      FROM raw
    )
    INSERT INTO {COMMISSION} (id, order_id, line_id, channel, distributor_id, level, currency, base,
      rate, fixed_amount, amount, reversed_amount, status, created_at, paid_at, fulfilled_at, settle_after,
      settled_at, generation)
    SELECT g, 'bo' || g, 'L1', '{CHANNEL}', distributor_id, CASE WHEN r2 < 0.75 THEN 1 ELSE 2 END, 'CNY',
      amount * 10, CASE WHEN r2 < 0.75 THEN 10 ELSE 3 END, NULL, amount,
      CASE WHEN status = 'available' AND r3 < 0.03 THEN round(amount * 0.3, 2) ELSE 0 END,
      status, created_at,
      CASE WHEN status = 'pending' THEN NULL ELSE created_at END,
      CASE WHEN status = 'available' OR (status = 'frozen' AND r3 >= 0.1)
           THEN created_at + interval '1 day' END,
      CASE WHEN status = 'available' THEN created_at + interval '9 days'
           WHEN status = 'frozen' AND r3 >= 0.1
           THEN created_at + interval '1 day' + floor(7 + r3 * 9) * interval '1 day'
      END,
      CASE WHEN status = 'available' THEN created_at + interval '10 days' END,
      0
    FROM shaped
    """


LEDGER_SQL = f"""
INSERT INTO {LEDGER} (distributor_id, currency, amount, kind, idempotency_key, commission_id, order_id,
  created_at)
SELECT distributor_id, 'CNY', amount - reversed_amount, 'commission', 'settle:' || id, id, order_id,
  settled_at
FROM {COMMISSION} WHERE status = 'available'
"""

WITHDRAWAL_SQL = f"""
WITH earners AS (
  SELECT distributor_id, sum(amount) AS earned FROM {LEDGER} GROUP BY distributor_id HAVING sum(amount) > 100
), w AS (
  INSERT INTO {WITHDRAWAL} (distributor_id, channel, currency, amount, status, out_bill_no, payout_method,
    app_id, openid, provider_bill_no, package_info, fail_reason, decided_by, reject_reason, requested_at,
    decided_at, sent_at, finished_at)
  SELECT distributor_id, '{CHANNEL}', 'CNY', round(earned * 0.1, 2),
         CASE WHEN random() < 0.05 THEN 'requested' ELSE 'paid' END,
         'WDB' || distributor_id || '-' || k, 'v3', 'wxbench', 'o-' || distributor_id, '', '', '', 'auto', '',
         now() - k * interval '20 days', now() - k * interval '20 days', now() - k * interval '20 days',
         now() - k * interval '20 days'
  FROM earners, generate_series(1, 3) AS k
  RETURNING id, distributor_id, amount
)
INSERT INTO {LEDGER} (distributor_id, currency, amount, kind, idempotency_key, withdrawal_id, order_id,
  created_at)
SELECT distributor_id, 'CNY', -amount, 'withdrawal', 'withdrawal:' || id || ':hold', id, '', now() FROM w
"""


def level_sizes(distributors: int) -> list[int]:
    rest = distributors - ROOTS
    sizes = [ROOTS] + [int(rest * share) for share in LEVEL_SHARES]
    sizes[-1] += distributors - sum(sizes)
    return sizes


def built(conn: psycopg.Connection[Any], distributors: int, commissions: int) -> bool:
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [META]).fetchone()[0]
    if not exists:
        return False
    row = conn.execute(f"SELECT distributors, commissions FROM {META}").fetchone()
    return row == (distributors, commissions)


def build(conn: psycopg.Connection[Any], distributors: int, commissions: int) -> dict[str, float]:
    """Empty our tables and generate the data set (``conn`` in autocommit); seconds per phase."""
    timings: dict[str, float] = {}
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET synchronous_commit = off")
    conn.execute(f"DROP TABLE IF EXISTS {META}")
    tables = [t for (t,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename LIKE 'wechat_distribution_%'"
    )]  # fmt: skip
    conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    conn.execute(STEP_FUNCTION)
    restore: list[Any] = []
    for table in (DIST, COMMISSION, LEDGER, WITHDRAWAL):
        restore += drop_secondary_indexes(conn, table)
    t0 = time.perf_counter()
    first, parent_first, parent_count = 1, 0, 0
    for depth, count in enumerate(level_sizes(distributors), start=1):
        conn.execute(_level_sql(depth, first, count, parent_first, parent_count))
        parent_first, parent_count, first = first, count, first + count
    conn.execute(f"""UPDATE {DIST} d SET numchild = c.n FROM (
        SELECT substr(path, 1, length(path) - 4) AS parent, count(*) AS n
        FROM {DIST} WHERE depth > 1 GROUP BY 1
      ) c WHERE d.path = c.parent""")
    conn.execute(f"""UPDATE {DIST} d SET team_size = c.n FROM (
        SELECT substr(path, 1, 4 * k) AS ancestor, count(*) AS n
        FROM {DIST}, generate_series(1, depth - 1) AS k WHERE status IN ('active', 'suspended') GROUP BY 1
      ) c WHERE d.path = c.ancestor""")
    timings["distributors_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute(_commission_sql(commissions))
    timings["commissions_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute(LEDGER_SQL)
    conn.execute(WITHDRAWAL_SQL)
    timings["ledger_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for statement in restore:
        conn.execute(statement)
    for table in (DIST, COMMISSION, LEDGER, WITHDRAWAL):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute(f"VACUUM ANALYZE {table}")
    timings["indexes_s"] = time.perf_counter() - t0
    conn.execute(f"CREATE TABLE {META} (distributors bigint, commissions bigint)")
    conn.execute(f"INSERT INTO {META} VALUES (%s, %s)", [distributors, commissions])
    return timings
