# ruff: noqa: S608 - SQL built from our own table names and constants (values are parameters)
"""The staging tables of one network import, and the plain SQL helpers every step of it uses.

The cleaned rows of the file go, a chunk at a time, into a staging table of this import (a temporary
table of the session: COPY on PostgreSQL, ``executemany`` elsewhere), their errors into an error table
beside it; narrow tables hold the host's answers about customer accounts (``CUST``), new referral codes
(``CODES``), the numbers 1..64 (``NUMS``, for walking up paths) and the top-level trees a write touched
(``TOUCH``). PostgreSQL gets more temporary buffers and a plan-friendly session for the import, and the
staging table is copied afresh (``compact``) after passes that rewrite every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection, transaction

from ...models import Distributor, DistributorEvent, Storefront

D = Distributor._meta.db_table
EV = DistributorEvent._meta.db_table
SF = Storefront._meta.db_table
S = "wd_import_stage"
E = "wd_import_err"
NUMS = "wd_import_nums"
CUST = "wd_import_cust"
CODES = "wd_import_codes"
TOUCH = "wd_import_touch"
JMP = "wd_import_jump"
#: the statuses of a distributor that may have a team (SQL)
MEMBER = "('active', 'suspended')"
STEPLEN = Distributor.steplen

STAGE_COLUMNS = (
    "line", "external_id", "parent_key", "inviter_key", "kind", "display_name", "email", "phone",
    "referral_code", "status", "slug", "bad",
)  # fmt: skip
ERROR_COLUMNS = ("line", "code", "field", "message", "other_line")


class Staging:
    """One import's staging tables on the current connection (inside the import's transaction)."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        #: the last error id already copied onto the staged rows (``mark_bad``)
        self.err_seen = 0

    # --- plain SQL -----------------------------------------------------------------------------------

    def x(self, sql: str, params: Sequence[Any] = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.rowcount

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.all(sql, params)
        return rows[0][0] if rows else None

    def bulk(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for values in rows:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def analyze(self, table: str) -> None:
        """Fresh statistics for a table just filled (PostgreSQL plans the next statements with them)."""
        if self.pg:
            self.x(f"ANALYZE {table}")

    @property
    def position(self) -> str:
        """The SQL function that finds a character in a string."""
        return "STRPOS" if self.pg else "INSTR"

    @property
    def fence(self) -> str:
        """PostgreSQL: ``OFFSET 0`` keeps a subquery from being pulled up (planned as a lookup per row)."""
        return " OFFSET 0" if self.pg else ""

    @property
    def true(self) -> str:
        return "TRUE" if self.pg else "1"

    def json(self, expr: str) -> str:
        return f"CAST({expr} AS jsonb)" if self.pg else expr

    # --- errors --------------------------------------------------------------------------------------

    def errors(self, select: str, params: Sequence[Any], code: str, field_: str, message: str) -> None:
        """Record ``code`` for every row ``select`` yields (columns ``line`` and ``other``)."""
        self.x(
            f"INSERT INTO {E} (line, code, field, message, other_line)"
            f" SELECT q.line, %s, %s, %s, q.other FROM ({select}) q ORDER BY q.line",
            [code, field_, message, *params],
        )

    def mark_bad(self) -> None:
        """Staged rows with errors recorded since the last call are marked ``bad``."""
        self.x(
            f"UPDATE {S} SET bad = 1 WHERE bad = 0 AND line IN (SELECT line FROM {E} WHERE id > %s)",
            [self.err_seen],
        )
        self.err_seen = self.last_error_id()

    def last_error_id(self) -> int:
        return self.one(f"SELECT COALESCE(MAX(id), 0) FROM {E}") or 0

    def add_errors(self, errors: list[tuple]) -> None:
        """``(line, code, field, message, other_line)`` rows."""
        self.bulk(E, ERROR_COLUMNS, errors)

    # --- tables --------------------------------------------------------------------------------------

    def create_tables(self, *, max_depth: int) -> None:
        serial = "BIGSERIAL PRIMARY KEY" if self.pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
        if self.pg:
            # temporary tables live in the session's own buffers (8 MB by default, too few for 100,000
            # staged rows, which every check reads again); they can only grow before the session's first
            # temporary table, so a later import in the same session keeps the size it got
            try:
                with transaction.atomic():
                    self.x("SET temp_buffers = '256MB'")
            except DatabaseError:
                pass
            self.x("SET LOCAL work_mem = '64MB'")
            # many statements here are one-off and estimated costly (correlated lookups): compiling them
            # (JIT) costs more than running them
            self.x("SET LOCAL jit = off")
            # the staging tables are analysed after every rewrite; a smaller sample (7,500 rows rather than
            # 30,000) is plenty for their simple columns (unique lines, ids, a handful of levels)
            self.x("SET LOCAL default_statistics_target = 25")
        self.drop_tables()
        for sql in (
            f"""CREATE TEMP TABLE {S} (
                line INTEGER PRIMARY KEY, external_id TEXT NOT NULL, parent_key TEXT NOT NULL,
                inviter_key TEXT NOT NULL, kind TEXT NOT NULL, display_name TEXT NOT NULL,
                email TEXT NOT NULL, phone TEXT NOT NULL, referral_code TEXT NOT NULL, status TEXT NOT NULL,
                slug TEXT NOT NULL, bad INTEGER NOT NULL DEFAULT 0, prim INTEGER NOT NULL DEFAULT 1,
                pk BIGINT, cur_path TEXT, cur_depth INTEGER, parent_line INTEGER, parent_pk BIGINT,
                top_row INTEGER NOT NULL DEFAULT 0, eff_line INTEGER, off INTEGER, lvl INTEGER,
                depth INTEGER, inviter_line INTEGER, inviter_pk BIGINT, action TEXT,
                moves INTEGER NOT NULL DEFAULT 0, changes TEXT NOT NULL DEFAULT '')""",
            # the host's answers (account, or whether it would create one) and new referral codes: narrow
            # tables of their own, so that filling them does not rewrite the wide staged rows
            f"CREATE TEMP TABLE {CUST} (line INTEGER PRIMARY KEY, user_id BIGINT, flag INTEGER)",
            f"CREATE TEMP TABLE {CODES} (line INTEGER PRIMARY KEY, code TEXT NOT NULL)",
            f"""CREATE TEMP TABLE {E} (id {serial}, line INTEGER NOT NULL, code TEXT NOT NULL,
                field TEXT, message TEXT NOT NULL, other_line INTEGER)""",
            f"CREATE INDEX {E}_line ON {E} (line)",
            f"CREATE TEMP TABLE {NUMS} (k INTEGER PRIMARY KEY)",
            f"CREATE TEMP TABLE {TOUCH} (root TEXT PRIMARY KEY)",
        ):
            self.x(sql)
        self.bulk(NUMS, ("k",), [(k,) for k in range(1, max_depth + 2)])

    def drop_tables(self) -> None:
        for table in (S, E, NUMS, CUST, CODES, TOUCH, JMP, JMP + "2"):
            self.x(f"DROP TABLE IF EXISTS {table}")

    def add_rows(self, rows: list[tuple], errors: list[tuple]) -> None:
        """Stage ``rows`` (``STAGE_COLUMNS``) and their errors; both lists are emptied."""
        self.bulk(S, STAGE_COLUMNS, rows)
        self.add_errors(errors)
        rows.clear()
        errors.clear()

    def index_stage(self) -> None:
        for sql in (
            f"CREATE INDEX {S}_ext ON {S} (external_id)",
            f"CREATE INDEX {S}_pk ON {S} (pk)",
            f"CREATE INDEX {S}_lvl ON {S} (lvl)",
        ):
            self.x(sql)
        self.analyze(S)

    def compact(self) -> None:
        """Copy the staging table afresh (PostgreSQL): every UPDATE leaves the old row versions behind
        until the transaction ends, and scans would read them all again."""
        if not self.pg:
            return
        self.x(f"CREATE TEMP TABLE {S}_new AS SELECT * FROM {S}")
        self.x(f"DROP TABLE {S}")
        self.x(f"ALTER TABLE {S}_new RENAME TO {S}")
        self.x(f"ALTER TABLE {S} ADD PRIMARY KEY (line)")
        self.index_stage()

    # --- the report ----------------------------------------------------------------------------------

    def action_counts(self) -> list[tuple[str, int]]:
        return self.all(f"SELECT action, COUNT(*) FROM {S} GROUP BY action")

    def rows_after(self, last: int, limit: int, *, only_errors: bool) -> list[tuple]:
        """``(line, external_id, action)`` of the next ``limit`` staged rows after line ``last``."""
        where = "AND bad = 1" if only_errors else ""
        return self.all(
            f"SELECT line, external_id, action FROM {S} WHERE line > %s {where} ORDER BY line LIMIT %s",
            [last, limit],
        )

    def errors_between(self, first: int, last: int) -> list[tuple]:
        """``(line, code, field, message, other_line)`` of lines ``first`` < line <= ``last``."""
        return self.all(
            f"SELECT line, code, field, message, other_line FROM {E}"
            " WHERE line > %s AND line <= %s ORDER BY line, id",
            [first, last],
        )
