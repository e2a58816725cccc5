# ruff: noqa: S608, E501 - SQL built from our own table names and constants (values are parameters), kept on long lines
"""Import a distribution network (with its hierarchy) from a CSV or XLSX file, in flat memory.

How it runs (README, "Network import"):

1. The file is read row by row and every row cleaned on its own (``domain/network_import.py``); the
   cleaned rows go, a chunk at a time (COPY on PostgreSQL), into a staging table of this import (a
   temporary table of the session), their own errors into an error table beside it. Python never holds
   more than a chunk of rows, so memory does not grow with the file.
2. The rows are checked together, in SQL over the staging table: duplicate external ids, referral codes,
   storefront addresses and people (the same e-mail or phone, or a customer who already is another
   distributor), unknown parents and inviters, a row that is its own parent, cycles (also through
   distributors already in the database that the file does not list), two top rows of a subtree import,
   enterprises under individuals, children under pending or rejected parents, and the depth limit (also
   through a distributor's team that the file does not list). A parent may come after its child. A row
   under a row with an error gets ``parent_invalid``. Customers are looked up through the host's
   directory (``ports``), a chunk of rows at a time.
3. A dry run stops there and reports. A real run with any row error also stops there: it writes nothing
   (all or nothing per file). Otherwise, in one transaction under the EXCLUSIVE tree lock, set-based:
   missing customer accounts are created (where the host allows), changed distributors are updated,
   then level by level (parents first) moved distributors are moved with their subtree and new ones are
   numbered (treebeard's path format, in SQL) and inserted; inviters are set, storefronts created or
   renamed, ``numchild`` and ``team_size`` recomputed for the trees touched, and each created or changed
   distributor gets an ``imported`` audit entry.

A distributor is matched by its external id; a distributor who applied online (no external id) is
known by its referral code, which is what the export writes for it. Re-importing the same file changes
nothing; an edited row updates that distributor (moving it under its new parent if that changed).

The inviter (the fission recruiter, as an application records it) comes from the optional
``inviter_external_id`` column; empty, a new distributor's inviter is its parent (none under the brand)
and an existing one keeps its own. The ``storefront_slug`` column creates or renames the distributor's
storefront (the brand channel given to the import; without one, only existing storefronts can be named).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from .. import locks
from ..conf import CustomerDirectoryNotConfigured, get_customer_directory
from ..domain.distributors import REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH
from ..domain.errors import NetworkImportErrorCode as Code
from ..domain.i18n import gettext_noop as _
from ..domain.network_import import IMPORT_COLUMNS, HeaderError, cell_text, clean_row, map_header
from ..models import Distributor, DistributorEvent, Storefront
from ..ports import CustomerRequest, Principal
from ..tabular import FileRejected, read_rows

STEPLEN = Distributor.steplen
ALPHABET = Distributor.alphabet
MAX_DEPTH = 63
#: rows with errors an ``ImportResult`` keeps for in-process callers (the job and the command get all)
ERROR_ROWS_KEPT = 1000
PROGRESS_EVERY = 5000
CHUNK = 5000
_CODE_SPACE = len(REFERRAL_CODE_ALPHABET) ** REFERRAL_CODE_LENGTH
MEMBER = "('active', 'suspended')"

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

_STAGE_COLUMNS = (
    "line", "external_id", "parent_key", "inviter_key", "kind", "display_name", "email", "phone",
    "referral_code", "status", "slug", "bad",
)  # fmt: skip

ProgressCallback = Callable[[str, int], None]


@dataclass(frozen=True)
class RowOutcome:
    line: int
    external_id: str
    action: str  # create | update | move | unchanged | error
    errors: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    dry_run: bool
    totals: dict[str, int] = field(default_factory=dict)
    #: the first ``ERROR_ROWS_KEPT`` rows with errors (``on_row`` sees every row)
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    file_error: dict[str, str] | None = None
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.totals.get("errors")


class _TooDeep(Exception):
    pass


class _CustomersRefused(Exception):
    def __init__(self, lines: list[int]) -> None:
        super().__init__(f"{len(lines)} accounts refused")
        self.lines = lines


def _new_code() -> str:
    """``new_referral_code``'s alphabet and length, from one random number (100,000 codes: 0.2 s)."""
    value = secrets.randbelow(_CODE_SPACE)
    chars = []
    for _step_index in range(REFERRAL_CODE_LENGTH):
        value, rem = divmod(value, len(REFERRAL_CODE_ALPHABET))
        chars.append(REFERRAL_CODE_ALPHABET[rem])
    return "".join(chars)


def _encode_step(expr: str) -> str:
    """SQL: the integer ``expr`` as a treebeard step (STEPLEN digits of ALPHABET)."""
    base = len(ALPHABET)
    digits = [
        f"SUBSTR('{ALPHABET}', CAST((({expr}) / {base**k}) %% {base} + 1 AS INTEGER), 1)"
        for k in range(STEPLEN - 1, -1, -1)
    ]
    return " || ".join(digits)


def _decode_step(path_expr: str, position: str) -> str:
    """SQL: the integer value of the last step of the path ``path_expr`` (NULL when it is NULL)."""
    base = len(ALPHABET)
    parts = [
        f"({position}('{ALPHABET}', SUBSTR({path_expr}, LENGTH({path_expr}) - {STEPLEN - 1 - k}, 1)) - 1)"
        f" * {base ** (STEPLEN - 1 - k)}"
        for k in range(STEPLEN)
    ]
    return " + ".join(parts)


class _Import:
    def __init__(
        self,
        *,
        actor: Principal,
        dry_run: bool,
        under_id: int | None,
        channel: str,
        job_id: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.actor = actor
        self.dry_run = dry_run
        self.under_id = under_id
        self.channel = channel
        self.job_id = job_id
        self.progress = progress or (lambda phase, count: None)
        self.pg = connection.vendor == "postgresql"
        self.columns: set[str] = set()
        self.rows = 0
        self.skipped = 0
        self.err_seen = 0
        self.under: tuple | None = None

    # --- SQL helpers ---------------------------------------------------------------------------------

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

    @property
    def position(self) -> str:
        return "STRPOS" if self.pg else "INSTR"

    def json(self, expr: str) -> str:
        return f"CAST({expr} AS jsonb)" if self.pg else expr

    def errors(self, select: str, params: Sequence[Any], code: Code, field_: str, message: str) -> None:
        """Record ``code`` for every row ``select`` yields (columns ``line`` and ``other``)."""
        self.x(
            f"INSERT INTO {E} (line, code, field, message, other_line)"
            f" SELECT q.line, %s, %s, %s, q.other FROM ({select}) q ORDER BY q.line",
            [code.value, field_, message, *params],
        )

    def mark_bad(self) -> None:
        self.x(
            f"UPDATE {S} SET bad = 1 WHERE bad = 0 AND line IN (SELECT line FROM {E} WHERE id > %s)",
            [self.err_seen],
        )
        self.err_seen = self.one(f"SELECT COALESCE(MAX(id), 0) FROM {E}") or 0

    # --- staging -------------------------------------------------------------------------------------

    def create_tables(self) -> None:
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
        self.bulk(NUMS, ("k",), [(k,) for k in range(1, MAX_DEPTH + 2)])

    def drop_tables(self) -> None:
        for table in (S, E, NUMS, CUST, CODES, TOUCH, JMP, JMP + "2"):
            self.x(f"DROP TABLE IF EXISTS {table}")

    def read(self, stream: IO[bytes], file_format: str) -> None:
        header: dict[str, int] | None = None
        rows: list[tuple] = []
        errors: list[tuple] = []
        for line, cells in enumerate(read_rows(stream, file_format), start=1):
            if header is None:
                if not any(cell_text(c) for c in cells):
                    continue  # blank lines above the header
                try:
                    header = map_header(cells)
                except HeaderError as error:
                    raise FileRejected(
                        Code.MISSING_COLUMNS,
                        _("The header row lacks required columns."),
                        ", ".join(error.missing),
                    ) from None
                self.columns = set(header)
                continue
            values = {name: cell_text(cells[i]) if i < len(cells) else "" for name, i in header.items()}
            if not any(values.values()) and not any(cell_text(c) for c in cells):
                self.skipped += 1
                continue
            row = clean_row(line, values)
            rows.append(
                (
                    line, row.external_id, row.parent_external_id, row.inviter_external_id, row.kind,
                    row.display_name, row.email, row.phone, row.referral_code, row.status,
                    row.storefront_slug, 1 if row.errors else 0,
                )
            )  # fmt: skip
            errors.extend((line, e.code.value, e.field, e.message, e.other_line) for e in row.errors)
            self.rows += 1
            if len(rows) >= CHUNK:
                self._flush(rows, errors)
                if self.rows % PROGRESS_EVERY == 0:
                    self.progress("reading", self.rows)
        if header is None:
            raise FileRejected(Code.MISSING_COLUMNS, _("The file is empty."))
        self._flush(rows, errors)
        self._index_stage()
        self.err_seen = self.one(f"SELECT COALESCE(MAX(id), 0) FROM {E}") or 0
        self.progress("reading", self.rows)

    def _index_stage(self) -> None:
        for sql in (
            f"CREATE INDEX {S}_ext ON {S} (external_id)",
            f"CREATE INDEX {S}_pk ON {S} (pk)",
            f"CREATE INDEX {S}_lvl ON {S} (lvl)",
        ):
            self.x(sql)
        if self.pg:
            self.x(f"ANALYZE {S}")

    def compact(self) -> None:
        """Copy the staging table afresh (PostgreSQL): every UPDATE leaves the old row versions behind
        until the transaction ends, and scans would read them all again."""
        if not self.pg:
            return
        self.x(f"CREATE TEMP TABLE {S}_new AS SELECT * FROM {S}")
        self.x(f"DROP TABLE {S}")
        self.x(f"ALTER TABLE {S}_new RENAME TO {S}")
        self.x(f"ALTER TABLE {S} ADD PRIMARY KEY (line)")
        self._index_stage()

    def _flush(self, rows: list[tuple], errors: list[tuple]) -> None:
        self.bulk(S, _STAGE_COLUMNS, rows)
        self.bulk(E, ("line", "code", "field", "message", "other_line"), errors)
        rows.clear()
        errors.clear()

    # --- checking ------------------------------------------------------------------------------------

    def check(self) -> None:
        self.progress("checking", 0)
        if self.under_id is not None:
            found = self.all(
                f"SELECT id, path, depth, external_id, referral_code FROM {D} WHERE id = %s",
                [self.under_id],
            )
            if not found:
                raise FileRejected(Code.NOT_FOUND, _("The distributor to import under does not exist."))
            self.under = found[0]
        self._duplicates()
        self._match()
        self._customers_checked()
        self.compact()
        self._parents()
        self._inviters()
        self._storefronts()
        self.compact()
        self._levels()
        self._existing_teams()
        self.mark_bad()
        self.compact()
        self._propagate()
        self._plan()
        self.compact()
        self.progress("checking", self.rows)

    def _duplicates(self) -> None:
        # every row is its external id's first (``prim``) unless marked here: only the few that are not
        # are written (an UPDATE of every staged row costs seconds at 100,000 rows)
        self.x(
            f"UPDATE {S} SET prim = 0 WHERE external_id = '' OR line IN (SELECT s.line FROM {S} s"
            f" JOIN (SELECT external_id, MIN(line) AS first FROM {S} GROUP BY external_id HAVING COUNT(*) > 1) f"
            " ON f.external_id = s.external_id WHERE s.line > f.first)"
        )
        for column, code, field_, message in (
            ("external_id", Code.DUPLICATE_EXTERNAL_ID, "external_id", _("This external id is also on an earlier row.")),
            ("referral_code", Code.DUPLICATE_CODE, "referral_code", _("This referral code is also on an earlier row.")),
            ("slug", Code.DUPLICATE_SLUG, "storefront_slug", _("This storefront slug is also on an earlier row.")),
            ("email", Code.DUPLICATE_PERSON, "email", _("This e-mail address is also on an earlier row.")),
            ("phone", Code.DUPLICATE_PERSON, "phone", _("This phone number is also on an earlier row.")),
        ):  # fmt: skip
            self.errors(
                f"SELECT s.line, f.first AS other FROM {S} s JOIN (SELECT {column} AS v, MIN(line) AS first"
                f" FROM {S} WHERE {column} <> '' GROUP BY {column} HAVING COUNT(*) > 1) f ON f.v = s.{column}"
                " WHERE s.line > f.first",
                [],
                code,
                field_,
                message,
            )

    def _match(self) -> None:
        """Each first row of an external id to its distributor (by external id, or an online one's code)."""
        found = "pk = d.id, cur_path = d.path, cur_depth = d.depth"
        self.x(f"UPDATE {S} SET {found} FROM {D} d WHERE {S}.prim = 1 AND d.external_id = {S}.external_id")
        self.x(
            f"UPDATE {S} SET {found} FROM {D} d WHERE {S}.prim = 1 AND {S}.pk IS NULL"
            f" AND d.external_id IS NULL AND d.referral_code = {S}.external_id"
        )
        # a distributor who applied online, now given the brand's external id (adopted by its code)
        self.x(
            f"UPDATE {S} SET {found} FROM {D} d WHERE {S}.prim = 1 AND {S}.pk IS NULL"
            f" AND {S}.referral_code <> '' AND d.external_id IS NULL AND d.referral_code = {S}.referral_code"
        )
        self.errors(
            f"SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s JOIN {D} d"
            " ON d.referral_code = s.referral_code WHERE s.prim = 1 AND s.referral_code <> ''"
            " AND (s.pk IS NULL OR d.id <> s.pk)",
            [],
            Code.DUPLICATE_CODE,
            "referral_code",
            _("Another distributor already has this referral code."),
        )
        self.errors(
            f"SELECT s.line, f.first AS other FROM {S} s JOIN (SELECT pk, MIN(line) AS first FROM {S}"
            " WHERE pk IS NOT NULL GROUP BY pk HAVING COUNT(*) > 1) f ON f.pk = s.pk WHERE s.line > f.first",
            [],
            Code.DUPLICATE_PERSON,
            "external_id",
            _("Another row already stands for this distributor."),
        )
        self.mark_bad()
        self.x(
            f"UPDATE {S} SET pk = NULL, cur_path = NULL, cur_depth = NULL WHERE line IN (SELECT s.line FROM {S} s JOIN {S} t"
            " ON t.pk = s.pk AND t.line < s.line)"
        )

    def _directory(self) -> Any:
        try:
            return get_customer_directory()
        except CustomerDirectoryNotConfigured:
            raise FileRejected(
                Code.NO_CUSTOMER,
                _("New distributors need customer accounts, and the shop has none to offer."),
            ) from None

    def _ask_directory(self, where: str, *, create: bool) -> list[int]:
        """Ask the host about the rows ``where`` selects, a chunk at a time; returns rows it refused."""
        directory = None
        refused: list[int] = []
        last = 0
        while True:
            chunk = self.all(
                f"SELECT line, email, phone, display_name FROM {S} WHERE {where} AND line > %s"
                " ORDER BY line LIMIT %s",
                [last, CHUNK],
            )
            if not chunk:
                break
            last = chunk[-1][0]
            directory = directory or self._directory()
            matches = directory.find_or_create_customers(
                [CustomerRequest(email, phone, name) for _l, email, phone, name in chunk], create=create
            )
            answers = []
            for (line, *_rest), match in zip(chunk, matches, strict=True):
                answers.append((line, match.user_id, 1 if match.created else 0))
                if match.user_id is None and (create or not match.created):
                    refused.append(line)
            # the rows asked have no account yet (the real run asks again for those it must create)
            self.x(
                f"DELETE FROM {CUST} WHERE user_id IS NULL AND line >= %s AND line <= %s", [chunk[0][0], last]
            )
            self.bulk(CUST, ("line", "user_id", "flag"), answers)
        if self.pg:
            self.x(f"ANALYZE {CUST}")
        return refused

    def _customers_checked(self) -> None:
        """New rows need a customer account: the host's, matched by e-mail or phone (or to be created)."""
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE prim = 1 AND pk IS NULL AND bad = 0"
            " AND email = '' AND phone = ''",
            [],
            Code.CONTACT_REQUIRED,
            "email",
            _("A new distributor needs an e-mail address or a phone number."),
        )
        self.mark_bad()
        # no account is looked up (or created) for a row that cannot be imported; a real run creates the
        # missing accounts only once every row has passed (``apply``)
        self._ask_directory("prim = 1 AND pk IS NULL AND bad = 0", create=False)
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE prim = 1 AND pk IS NULL AND bad = 0"
            f" AND line IN (SELECT line FROM {CUST} WHERE user_id IS NULL AND flag = 0)",
            [],
            Code.NO_CUSTOMER,
            "email",
            _("No customer account has this e-mail or phone, and none can be created."),
        )
        self.errors(
            f"SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s JOIN {CUST} c ON c.line = s.line"
            f" JOIN {D} d ON d.user_id = c.user_id"
            " WHERE s.prim = 1 AND s.pk IS NULL",
            [],
            Code.DUPLICATE_PERSON,
            "email",
            _("This person is already a distributor (under another external id)."),
        )
        self.errors(
            f"SELECT c.line, f.first AS other FROM {CUST} c JOIN (SELECT user_id, MIN(line) AS first FROM {CUST}"
            " WHERE user_id IS NOT NULL GROUP BY user_id HAVING COUNT(*) > 1) f"
            " ON f.user_id = c.user_id WHERE c.line > f.first",
            [],
            Code.DUPLICATE_PERSON,
            "email",
            _("This person is also on an earlier row."),
        )

    def _resolve(self, key: str, line_column: str, pk_column: str, extra: str = "") -> None:
        """``key`` to a row of the file (``line_column``) or else a distributor (``pk_column``)."""
        scope = f"{S}.prim = 1 AND {S}.{key} <> '' AND {S}.{key} <> {S}.external_id {extra}"
        self.x(
            f"UPDATE {S} SET {line_column} = r.line FROM {S} r WHERE {scope}"
            f" AND r.prim = 1 AND r.external_id = {S}.{key}"
        )
        self.x(
            f"UPDATE {S} SET {pk_column} = d.id FROM {D} d WHERE {scope} AND {S}.{line_column} IS NULL"
            f" AND d.external_id = {S}.{key}"
        )
        self.x(
            f"UPDATE {S} SET {pk_column} = d.id FROM {D} d WHERE {scope} AND {S}.{line_column} IS NULL"
            f" AND {S}.{pk_column} IS NULL AND d.external_id IS NULL AND d.referral_code = {S}.{key}"
        )
        # a distributor this file lists (adopted by its referral code): the row, not the distributor
        self.x(
            f"UPDATE {S} SET {line_column} = r.line, {pk_column} = NULL FROM {S} r"
            f" WHERE {S}.{pk_column} IS NOT NULL AND r.pk = {S}.{pk_column} AND r.prim = 1"
        )

    def _parents(self) -> None:
        under = self.under
        if under is not None:
            under_key = under[3] if under[3] is not None else under[4]
            self.x(
                f"UPDATE {S} SET top_row = 1, parent_pk = %s WHERE prim = 1"
                " AND (parent_key = '' OR parent_key = %s)",
                [under[0], under_key],
            )
            self.errors(
                f"SELECT s.line, f.first AS other FROM {S} s, (SELECT MIN(line) AS first FROM {S}"
                " WHERE top_row = 1) f WHERE s.top_row = 1 AND s.line > f.first",
                [],
                Code.TWO_ROOTS,
                "parent_external_id",
                _("A subtree import has one top row; an earlier row already is it."),
            )
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE prim = 1 AND top_row = 0"
            " AND parent_key <> '' AND parent_key = external_id",
            [],
            Code.SELF_PARENT,
            "parent_external_id",
            _("A distributor cannot be its own parent."),
        )
        self._resolve("parent_key", "parent_line", "parent_pk", f"AND {S}.top_row = 0")
        if under is not None:  # a subtree import places rows under the subtree's distributors only
            self.x(
                f"UPDATE {S} SET parent_pk = NULL WHERE top_row = 0 AND parent_pk IS NOT NULL"
                f" AND parent_pk NOT IN (SELECT id FROM {D} WHERE path >= %s AND path < %s)",
                [under[1], under[1] + "~"],
            )
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE prim = 1 AND top_row = 0"
            " AND parent_key <> '' AND parent_key <> external_id AND parent_line IS NULL"
            " AND parent_pk IS NULL",
            [],
            Code.UNKNOWN_PARENT,
            "parent_external_id",
            _("No row of this file and no distributor has this parent external id."),
        )

    def _inviters(self) -> None:
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE prim = 1"
            " AND inviter_key <> '' AND inviter_key = external_id",
            [],
            Code.SELF_INVITER,
            "inviter_external_id",
            _("A distributor cannot be its own inviter."),
        )
        self._resolve("inviter_key", "inviter_line", "inviter_pk")
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE prim = 1 AND inviter_key <> ''"
            " AND inviter_key <> external_id AND inviter_line IS NULL AND inviter_pk IS NULL",
            [],
            Code.UNKNOWN_INVITER,
            "inviter_external_id",
            _("No row of this file and no distributor has this inviter external id."),
        )

    def _storefronts(self) -> None:
        self.errors(
            f"SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s JOIN {SF} f ON f.slug = s.slug"
            " WHERE s.slug <> '' AND (s.pk IS NULL OR f.distributor_id IS NULL OR f.distributor_id <> s.pk)",
            [],
            Code.SLUG_TAKEN,
            "storefront_slug",
            _("Another storefront already has this address."),
        )
        if not self.channel:
            self.errors(
                f"SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s WHERE s.slug <> ''"
                f" AND (s.pk IS NULL OR NOT EXISTS (SELECT 1 FROM {SF} f WHERE f.distributor_id = s.pk))",
                [],
                Code.CHANNEL_REQUIRED,
                "storefront_slug",
                _("Creating storefronts needs a channel: give the import one, or leave the column empty."),
            )

    def _levels(self) -> None:
        """Depth of every placed row in the network after the import, level by level of the file's forest;
        rows no level reaches lie on (or under) a cycle, or too deep."""
        placed = "prim = 1 AND (parent_line IS NOT NULL OR parent_pk IS NOT NULL OR parent_key = '')"
        if self.under is not None:
            placed = "prim = 1 AND (parent_line IS NOT NULL OR parent_pk IS NOT NULL)"
        if self.one(f"SELECT COUNT(*) FROM (SELECT 1 FROM {S} WHERE pk IS NOT NULL LIMIT 1) q"):
            # under a distributor the file does not list, below one it does: that row is the level above
            # (with the levels in between), so moving it is seen, and a cycle through it is caught
            self.x(
                f"""UPDATE {S} SET eff_line = (
                    SELECT m.line FROM {D} p JOIN {NUMS} n ON n.k <= p.depth
                    JOIN {D} a ON a.path = SUBSTR(p.path, 1, {STEPLEN} * n.k)
                    JOIN {S} m ON m.pk = a.id AND m.prim = 1
                    WHERE p.id = {S}.parent_pk ORDER BY n.k DESC LIMIT 1)
                WHERE parent_pk IS NOT NULL"""
            )
            self.x(
                f"""UPDATE {S} SET off = (SELECT p.depth FROM {D} p WHERE p.id = {S}.parent_pk)
                    - (SELECT m.cur_depth FROM {S} m WHERE m.line = {S}.eff_line) + 1
                WHERE parent_pk IS NOT NULL AND eff_line IS NOT NULL"""
            )
        self.x(
            f"""UPDATE {S} SET lvl = 0, depth = COALESCE(
                (SELECT p.depth FROM {D} p WHERE p.id = {S}.parent_pk) + 1, 1)
            WHERE {placed} AND eff_line IS NULL AND parent_line IS NULL"""
        )
        level = 0
        while level <= MAX_DEPTH:
            level += 1
            if not self.x(
                f"UPDATE {S} SET lvl = %s, depth = p.depth + COALESCE({S}.off, 1) FROM {S} p"
                f" WHERE COALESCE({S}.eff_line, {S}.parent_line) = p.line AND p.lvl = %s AND {S}.lvl IS NULL",
                [level, level - 1],
            ):
                break
        self.max_level = level
        unreached = self.one(f"SELECT COUNT(*) FROM {S} WHERE {placed} AND lvl IS NULL")
        if unreached:
            self._cycles(placed, unreached)
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE depth > %s",
            [MAX_DEPTH],
            Code.TREE_TOO_DEEP,
            "parent_external_id",
            _("This row would sit deeper in the network than 63 levels."),
        )
        # item: moved deeper with a team the file does not list, which goes along
        self.errors(
            f"""SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s
            WHERE s.pk IS NOT NULL AND s.depth IS NOT NULL AND s.depth <= %s AND s.depth > s.cur_depth
            AND s.depth - s.cur_depth + (SELECT MAX(d.depth) FROM {D} d
                WHERE d.path >= s.cur_path AND d.path < s.cur_path || '~') > %s""",
            [MAX_DEPTH, MAX_DEPTH],
            Code.TREE_TOO_DEEP,
            "parent_external_id",
            _("Placed here, this row's team (with distributors the file does not list) would sit deeper "
              "in the network than 63 levels."),
        )  # fmt: skip

    def _cycles(self, placed: str, unreached: int) -> None:
        """Pointer jumping over the rows no level reached: after n >= their number of steps up, each lands
        on a cycle (the rows it lands on are exactly the cycles) or left them (too deep)."""
        self.x(
            f"CREATE TEMP TABLE {JMP} AS SELECT line, COALESCE(eff_line, parent_line) AS j FROM {S}"
            f" WHERE {placed} AND lvl IS NULL"
        )
        self.x(f"UPDATE {JMP} SET j = NULL WHERE j NOT IN (SELECT line FROM {JMP})")
        steps = 1
        while steps <= unreached:
            steps *= 2
            self.x(f"CREATE INDEX {JMP}_{steps} ON {JMP} (line)")
            self.x(
                f"CREATE TEMP TABLE {JMP}2 AS SELECT a.line, b.j FROM {JMP} a LEFT JOIN {JMP} b ON b.line = a.j"
            )
            self.x(f"DROP TABLE {JMP}")
            self.x(f"ALTER TABLE {JMP}2 RENAME TO {JMP}")
        self.errors(
            f"SELECT DISTINCT j AS line, CAST(NULL AS INTEGER) AS other FROM {JMP} WHERE j IS NOT NULL",
            [],
            Code.CYCLE,
            "parent_external_id",
            _("The parent chain of this row comes back to it (a cycle)."),
        )
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {JMP} WHERE j IS NOT NULL"
            f" AND line NOT IN (SELECT j FROM {JMP} WHERE j IS NOT NULL)",
            [],
            Code.PARENT_INVALID,
            "parent_external_id",
            _("The parent row has errors, so this row cannot be placed."),
        )
        self.errors(
            f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {JMP} WHERE j IS NULL",
            [],
            Code.TREE_TOO_DEEP,
            "parent_external_id",
            _("This row would sit deeper in the network than 63 levels."),
        )
        self.x(f"DROP TABLE {JMP}")

    def _existing_teams(self) -> None:
        """A distributor whose team stays (children the file does not move away) must stay approved, and
        an enterprise team member keeps its upline an enterprise."""
        self.mark_bad()
        # a child stays unless a row of the file places it under another parent
        staying = (
            f"SELECT 1 FROM {D} c WHERE c.depth = s.cur_depth + 1 AND c.path >= s.cur_path"
            f" AND c.path < s.cur_path || '~' AND NOT EXISTS (SELECT 1 FROM {S} cs WHERE cs.pk = c.id"
            " AND cs.prim = 1 AND COALESCE(cs.parent_line, -1) <> s.line AND COALESCE(cs.parent_pk, -1) <> s.pk)"
        )
        # PostgreSQL: OFFSET 0 keeps EXISTS a lookup per row on the (depth, path) index; as a semi-join it
        # was hashed on depth alone and compared every row with every distributor of that depth
        fence = " OFFSET 0" if self.pg else ""
        self.errors(
            f"SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s WHERE s.pk IS NOT NULL AND s.bad = 0"
            f" AND s.status NOT IN {MEMBER} AND EXISTS ({staying}{fence})",
            [],
            Code.PARENT_NOT_APPROVED,
            "status",
            _("Only active or suspended distributors can have a team."),
        )
        self.errors(
            f"SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s JOIN {D} x ON x.id = s.pk"
            " WHERE s.bad = 0 AND s.kind = 'individual' AND x.kind <> 'individual'"
            f" AND EXISTS ({staying} AND c.kind = 'enterprise'{fence})",
            [],
            Code.KIND_NOT_ALLOWED_UNDER_PARENT,
            "kind",
            _("An enterprise distributor cannot sit under an individual distributor."),
        )

    def _propagate(self) -> None:
        """Parents first: a row under a row with errors cannot be placed; kinds and statuses under their
        parents (the file's values for parent rows, the database's for distributors it does not list)."""
        for level in range(0, self.max_level + 1):
            self.errors(
                f"SELECT s.line, p.line AS other FROM {S} s JOIN {S} p ON p.line = s.parent_line"
                " WHERE s.lvl = %s AND s.bad = 0 AND p.bad = 1",
                [level],
                Code.PARENT_INVALID,
                "parent_external_id",
                _("The parent row has errors, so this row cannot be placed."),
            )
            self.mark_bad()
            parent = (
                f" FROM {S} s LEFT JOIN {S} p ON p.line = s.parent_line LEFT JOIN {D} d ON d.id = s.parent_pk"
                " WHERE s.lvl = %s AND s.bad = 0"
            )
            self.errors(
                f"SELECT s.line, CAST(NULL AS INTEGER) AS other {parent} AND s.kind = 'enterprise'"
                " AND COALESCE(p.kind, d.kind) = 'individual'",
                [level],
                Code.KIND_NOT_ALLOWED_UNDER_PARENT,
                "kind",
                _("An enterprise distributor cannot sit under an individual distributor."),
            )
            self.errors(
                f"SELECT s.line, CAST(NULL AS INTEGER) AS other {parent}"
                f" AND COALESCE(p.status, d.status) NOT IN {MEMBER}",
                [level],
                Code.PARENT_NOT_APPROVED,
                "parent_external_id",
                _("Only active or suspended distributors can have a team."),
            )
            self.mark_bad()

    def _plan(self) -> None:
        """Each row's action; ``changes`` lists (as JSON strings) the columns an update changes."""
        email = "email" in self.columns
        phone = "phone" in self.columns
        changed = [
            "CASE WHEN d.display_name <> s.display_name THEN '\"display_name\",' ELSE '' END",
            "CASE WHEN s.email <> LOWER(d.email) THEN '\"email\",' ELSE '' END" if email else "''",
            "CASE WHEN d.external_id IS NULL AND s.external_id <> d.referral_code"
            " THEN '\"external_id\",' ELSE '' END",
            "CASE WHEN s.inviter_key <> '' AND COALESCE(i.pk, s.inviter_pk, -2) <> COALESCE(d.inviter_id, -1)"
            " THEN '\"inviter\",' ELSE '' END",
            "CASE WHEN d.kind <> s.kind THEN '\"kind\",' ELSE '' END",
            "CASE WHEN d.phone <> s.phone THEN '\"phone\",' ELSE '' END" if phone else "''",
            "CASE WHEN s.referral_code <> '' AND s.referral_code <> d.referral_code"
            " THEN '\"referral_code\",' ELSE '' END",
            "CASE WHEN d.status <> s.status THEN '\"status\",' ELSE '' END",
            "CASE WHEN s.slug <> '' AND COALESCE(f.slug, '') <> s.slug THEN '\"storefront_slug\",' ELSE '' END",
        ]
        # one pass over the staged rows (each UPDATE of a staged row writes a new version of it and of
        # its index entries), the parents and the distributors joined rather than looked up row by row
        moves = f"""CASE WHEN SUBSTR(s.cur_path, 1, LENGTH(s.cur_path) - {STEPLEN}) = COALESCE(
                CASE WHEN s.parent_line IS NOT NULL THEN p.cur_path WHEN s.parent_pk IS NOT NULL THEN dp.path
                     ELSE '' END, '#') THEN 0 ELSE 1 END"""
        self.x(
            f"""UPDATE {S} SET changes = q.changes, moves = q.moves, action = CASE WHEN q.bad = 1 THEN 'error'
                WHEN q.pk IS NULL THEN 'create' WHEN q.moves = 1 THEN 'move' WHEN q.changes <> '' THEN 'update'
                ELSE 'unchanged' END
            FROM (SELECT s.line, s.pk, s.bad,
                    CASE WHEN s.pk IS NOT NULL AND s.bad = 0 THEN {" || ".join(changed)} ELSE '' END AS changes,
                    CASE WHEN s.pk IS NOT NULL AND s.bad = 0 THEN {moves} ELSE 0 END AS moves
                FROM {S} s LEFT JOIN {D} d ON d.id = s.pk LEFT JOIN {S} p ON p.line = s.parent_line
                LEFT JOIN {D} dp ON dp.id = s.parent_pk LEFT JOIN {S} i ON i.line = s.inviter_line
                LEFT JOIN {SF} f ON f.distributor_id = d.id) q
            WHERE {S}.line = q.line"""
        )

    def totals(self) -> dict[str, int]:
        totals = {"rows": self.rows, "skipped": self.skipped, "errors": 0}
        for name in ("create", "update", "move", "unchanged"):
            totals[name] = 0
        for action, count in self.all(f"SELECT action, COUNT(*) FROM {S} GROUP BY action"):
            totals["errors" if action == "error" else action] = count
        totals["ok"] = totals["rows"] - totals["errors"]
        return totals

    def outcomes(self, *, only_errors: bool = False) -> Iterator[RowOutcome]:
        """Every row (or every row with errors) in file order, with its errors, a chunk at a time."""
        last = 0
        where = "AND bad = 1" if only_errors else ""
        while True:
            rows = self.all(
                f"SELECT line, external_id, action FROM {S} WHERE line > %s {where} ORDER BY line LIMIT %s",
                [last, CHUNK],
            )
            if not rows:
                return
            errors: dict[int, list[dict[str, Any]]] = {}
            for line, code, field_, message, other in self.all(
                f"SELECT line, code, field, message, other_line FROM {E}"
                " WHERE line > %s AND line <= %s ORDER BY line, id",
                [last, rows[-1][0]],
            ):
                entry: dict[str, Any] = {"code": code, "field": field_, "message": message}
                if other is not None:
                    entry["other_line"] = other
                errors.setdefault(line, []).append(entry)
            last = rows[-1][0]
            for line, external_id, action in rows:
                yield RowOutcome(line, external_id, action, tuple(errors.get(line, ())))

    # --- writing -------------------------------------------------------------------------------------

    def apply(self) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.progress("writing", 0)
        refused = self._ask_directory(
            f"action = 'create' AND line IN (SELECT line FROM {CUST} WHERE user_id IS NULL)", create=True
        )
        if refused:
            raise _CustomersRefused(refused)
        self._new_codes()
        self.compact()
        self._update_changed(now)
        self.x(
            f"INSERT INTO {TOUCH} (root) SELECT DISTINCT SUBSTR(cur_path, 1, {STEPLEN}) FROM {S}"
            " WHERE action = 'move' OR (action = 'update' AND changes LIKE '%%status%%')",
            [],
        )
        done = 0
        for level in range(0, self.max_level + 1):
            done += self._move(level)
            done += self._insert(level, now)
            self.progress("writing", done)
        self.x(
            f"UPDATE {S} SET pk = d.id FROM {D} d WHERE {S}.action = 'create' AND d.external_id = {S}.external_id"
        )
        self.x(
            f"INSERT INTO {TOUCH} (root) SELECT DISTINCT SUBSTR(d.path, 1, {STEPLEN}) FROM {S} s"
            f" JOIN {D} d ON d.id = s.pk WHERE s.action IN ('create', 'move')"
            f" AND SUBSTR(d.path, 1, {STEPLEN}) NOT IN (SELECT root FROM {TOUCH})"
        )
        self._inviters_set()
        self._storefronts_set(now)
        _recount()
        if (
            self.one(
                f"SELECT MAX(depth) FROM {D} WHERE SUBSTR(path, 1, {STEPLEN}) IN (SELECT root FROM {TOUCH})"
            )
            or 0
        ) > MAX_DEPTH:
            raise _TooDeep
        self._audit(now)
        self.progress("writing", self.rows)

    def _new_codes(self) -> None:
        """Referral codes of the created distributors that the file gives none: new unique ones."""
        while True:
            last = 0
            while True:
                lines = self.all(
                    f"SELECT line FROM {S} WHERE action = 'create' AND referral_code = ''"
                    f" AND line NOT IN (SELECT line FROM {CODES}) AND line > %s ORDER BY line LIMIT %s",
                    [last, CHUNK],
                )
                if not lines:
                    break
                last = lines[-1][0]
                self.bulk(CODES, ("line", "code"), [(line, _new_code()) for (line,) in lines])
            if self.pg:
                self.x(f"ANALYZE {CODES}")
            clashes = self.x(
                f"""DELETE FROM {CODES} WHERE code IN (SELECT referral_code FROM {D})
                    OR code IN (SELECT referral_code FROM {S} WHERE referral_code <> '')
                    OR line NOT IN (SELECT MIN(line) FROM {CODES} GROUP BY code)"""
            )
            if not clashes:
                return

    def _update_changed(self, now: Any) -> None:
        email = "email" in self.columns
        phone = "phone" in self.columns
        self.x(
            f"""UPDATE {D} SET kind = s.kind, display_name = s.display_name, status = s.status,
                email = {"CASE WHEN s.email <> LOWER(" + D + ".email) THEN s.email ELSE " + D + ".email END" if email else D + ".email"},
                phone = {"s.phone" if phone else D + ".phone"},
                referral_code = CASE WHEN s.referral_code <> '' THEN s.referral_code ELSE {D}.referral_code END,
                external_id = CASE WHEN {D}.external_id IS NULL AND s.external_id = {D}.referral_code
                    THEN NULL ELSE s.external_id END,
                approved_at = CASE WHEN {D}.approved_at IS NULL AND s.status IN {MEMBER} THEN %s
                    ELSE {D}.approved_at END,
                updated_at = %s
            FROM {S} s WHERE s.pk = {D}.id AND s.action IN ('update', 'move')
                AND REPLACE(REPLACE(s.changes, '"inviter",', ''), '"storefront_slug",', '') <> ''""",
            [now, now],
        )

    def _parent_path_sql(self) -> str:
        """SQL: the current path of row ``s``'s parent (a row of the file, created or not, or a
        distributor it does not list), '' for the brand."""
        return (
            f"COALESCE((SELECT dp.path FROM {D} dp WHERE dp.id = s.parent_pk),"
            f" (SELECT dp.path FROM {S} ps JOIN {D} dp ON dp.id = ps.pk WHERE ps.line = s.parent_line),"
            f" (SELECT dp.path FROM {S} ps JOIN {D} dp ON dp.external_id = ps.external_id"
            f" WHERE ps.line = s.parent_line AND ps.pk IS NULL), '')"
        )

    def _move(self, level: int) -> int:
        """Move this level's moved distributors (with their subtrees) under their new parents."""
        moved = self.all(
            f"SELECT s.line, s.pk, {self._parent_path_sql()} FROM {S} s"
            " WHERE s.lvl = %s AND s.action = 'move' ORDER BY s.line",
            [level],
        )
        for _line, pk, parent_path in moved:
            old = self.one(f"SELECT path FROM {D} WHERE id = %s", [pk])
            depth = len(parent_path) // STEPLEN + 1
            last = self.one(
                f"SELECT MAX(path) FROM {D} WHERE depth = %s AND path >= %s AND path < %s",
                [depth, parent_path, parent_path + "~"],
            )
            new = parent_path + _step(_step_value(last[-STEPLEN:]) + 1 if last else 1)
            self.x(
                f"UPDATE {D} SET path = %s || SUBSTR(path, %s), depth = depth + %s"
                " WHERE path >= %s AND path < %s",
                [new, len(old) + 1, depth - len(old) // STEPLEN, old, old + "~"],
            )
            for root in {old[:STEPLEN], new[:STEPLEN]}:
                if not self.one(f"SELECT COUNT(*) FROM {TOUCH} WHERE root = %s", [root]):
                    self.x(f"INSERT INTO {TOUCH} (root) VALUES (%s)", [root])
        return len(moved)

    def _insert(self, level: int, now: Any) -> int:
        """This level's new distributors: numbered after their parent's last child, in file order."""
        step = STEPLEN
        # the parent's path: a distributor the file does not list, a row's distributor, or a row created
        # at an earlier level (found by its external id); joined, not looked up row by row
        # p: each parent's last child once (PostgreSQL: OFFSET 0 keeps the lookup from being repeated for
        # every digit of the decoded step and every row)
        fence = " OFFSET 0" if self.pg else ""
        sql = f"""WITH r AS (
                SELECT s.line, COALESCE(dp.path, dl.path, dx.path, '') AS pp FROM {S} s
                LEFT JOIN {D} dp ON dp.id = s.parent_pk
                LEFT JOIN {S} ps ON ps.line = s.parent_line
                LEFT JOIN {D} dl ON dl.id = ps.pk
                LEFT JOIN {D} dx ON ps.pk IS NULL AND dx.external_id = ps.external_id
                WHERE s.lvl = %s AND s.action = 'create'
            ), p AS (
                SELECT x.pp, COALESCE({_decode_step("x.last", self.position)}, 0) AS base FROM (
                    SELECT y.pp, (SELECT MAX(c.path) FROM {D} c WHERE c.depth = LENGTH(y.pp) / {step} + 1
                        AND c.path >= y.pp AND c.path < y.pp || '~') AS last
                    FROM (SELECT DISTINCT pp FROM r) y{fence}) x
            ), n AS (
                SELECT r.line, r.pp, p.base + ROW_NUMBER() OVER (PARTITION BY r.pp ORDER BY r.line) AS num
                FROM r JOIN p ON p.pp = r.pp
            )
            INSERT INTO {D} (path, depth, user_id, email, phone, kind, status, display_name, referral_code,
                external_id, created_at, updated_at, approved_at, numchild, team_size, inviter_id)
            SELECT n.pp || {_encode_step("n.num")}, LENGTH(n.pp) / {step} + 1,
                cu.user_id, s.email, s.phone,
                s.kind, s.status, s.display_name, COALESCE(NULLIF(s.referral_code, ''), k.code),
                s.external_id, %s, %s, CASE WHEN s.status IN {MEMBER} THEN %s END, 0, 0,
                CASE WHEN s.inviter_key = '' THEN COALESCE(s.parent_pk, ps.pk, dp.id)
                ELSE COALESCE(s.inviter_pk, si.pk, di.id) END
            FROM n JOIN {S} s ON s.line = n.line
            LEFT JOIN {CUST} cu ON cu.line = s.line LEFT JOIN {CODES} k ON k.line = s.line
            LEFT JOIN {S} ps ON ps.line = s.parent_line LEFT JOIN {D} dp ON dp.external_id = ps.external_id
            LEFT JOIN {S} si ON si.line = s.inviter_line LEFT JOIN {D} di ON di.external_id = si.external_id
            ORDER BY n.line"""
        return self.x(sql, [level, now, now, now])

    def _inviters_set(self) -> None:
        """The file's inviter: of changed distributors, and of new ones created before their inviter (a new
        distributor's inviter is set when it is inserted: the file's, else its parent)."""
        self.x(
            f"""UPDATE {D} SET inviter_id = q.inv FROM (
                SELECT s.pk, COALESCE((SELECT i.pk FROM {S} i WHERE i.line = s.inviter_line), s.inviter_pk) AS inv
                FROM {S} s WHERE s.inviter_key <> '' AND (s.action = 'create' OR s.changes LIKE '%%"inviter"%%')
            ) q WHERE {D}.id = q.pk AND COALESCE({D}.inviter_id, -1) <> COALESCE(q.inv, -1)""",
            [],
        )

    def _storefronts_set(self, now: Any) -> None:
        """Rename the storefronts whose address the file changes; create the missing ones on the channel."""
        self.x(
            f"""UPDATE {SF} SET slug = s.slug, updated_at = %s FROM {S} s
            WHERE {SF}.distributor_id = s.pk AND s.slug <> '' AND s.action <> 'error' AND {SF}.slug <> s.slug""",
            [now],
        )
        if self.channel:
            true = "TRUE" if self.pg else "1"
            self.x(
                f"""INSERT INTO {SF} (distributor_id, slug, title, logo_url, welcome_text, channel,
                    all_products, product_ids, is_active, created_at, updated_at)
                SELECT s.pk, s.slug, SUBSTR(s.display_name, 1, 100), '', '', %s, {true}, {self.json("'[]'")},
                    {true}, %s, %s
                FROM {S} s WHERE s.slug <> '' AND s.action <> 'error'
                    AND NOT EXISTS (SELECT 1 FROM {SF} f WHERE f.distributor_id = s.pk) ORDER BY s.line""",
                [self.channel, now, now],
            )

    def _audit(self, now: Any) -> None:
        """One ``imported`` entry per created or changed distributor."""
        job = "null" if self.job_id is None else str(int(self.job_id))
        changes = "CASE WHEN s.changes = '' THEN '[]' ELSE '[' || SUBSTR(s.changes, 1, LENGTH(s.changes) - 1) || ']' END"
        data = f"""'{{"job": {job}, "action": ' || CASE WHEN s.action = 'create' THEN '"created"}}'
            ELSE '"' || s.action || '", "changes": ' || {changes} || '}}' END"""
        self.x(
            f"""INSERT INTO {EV} (distributor_id, type, actor, actor_user_id, data, created_at)
            SELECT s.pk, %s, %s, %s, {self.json(data)}, %s FROM {S} s
            WHERE s.action IN ('create', 'update', 'move') ORDER BY s.line""",
            [DistributorEvent.Type.IMPORTED.value, self.actor.actor_label, self.actor.user_id, now],
        )


def _step(position: int) -> str:
    digits = ""
    while position:
        position, rem = divmod(position, len(ALPHABET))
        digits = ALPHABET[rem] + digits
    if len(digits) > STEPLEN:
        raise OverflowError("too many children under one parent")
    return digits.rjust(STEPLEN, ALPHABET[0])


def _step_value(step: str) -> int:
    return int(step, len(ALPHABET))


def _recount() -> None:
    """``numchild`` and ``team_size`` (approved descendants) of every node in the top-level trees touched."""
    scope_filter = f"SUBSTR(path, 1, {STEPLEN}) IN (SELECT root FROM {TOUCH})"
    if connection.vendor == "postgresql":
        sql = f"""
            WITH scope AS (SELECT id, path, depth, status FROM {D} WHERE {scope_filter}),
            members AS (
                SELECT SUBSTR(s.path, 1, %(step)s * k) AS ancestor, COUNT(*) AS n
                FROM scope s CROSS JOIN LATERAL generate_series(1, s.depth - 1) AS k
                WHERE s.status IN {MEMBER} GROUP BY 1
            ),
            kids AS (
                SELECT SUBSTR(path, 1, LENGTH(path) - %(step)s) AS parent, COUNT(*) AS n
                FROM scope WHERE depth > 1 GROUP BY 1
            ),
            wanted AS (
                SELECT s.id, COALESCE(m.n, 0) AS team_size, COALESCE(k.n, 0) AS numchild
                FROM scope s LEFT JOIN members m ON m.ancestor = s.path LEFT JOIN kids k ON k.parent = s.path
            )
            UPDATE {D} d SET team_size = w.team_size, numchild = w.numchild FROM wanted w
            WHERE d.id = w.id AND (d.team_size <> w.team_size OR d.numchild <> w.numchild)
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, {"step": STEPLEN})
        return
    # SQLite (the sandbox): small networks, counted in Python one touched tree at a time
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT root FROM {TOUCH}")
        roots = [r for (r,) in cursor.fetchall()]
    for root in roots:
        nodes = list(
            Distributor.objects.filter(path__startswith=root).values_list(
                "pk", "path", "status", "team_size", "numchild"
            )
        )
        team: dict[str, int] = {}
        kids: dict[str, int] = {}
        for _pk, path, status, _t, _c in nodes:
            if len(path) > STEPLEN:
                kids[path[:-STEPLEN]] = kids.get(path[:-STEPLEN], 0) + 1
            if status in ("active", "suspended"):
                for k in range(STEPLEN, len(path), STEPLEN):
                    team[path[:k]] = team.get(path[:k], 0) + 1
        for pk, path, _s, team_size, numchild in nodes:
            if (team.get(path, 0), kids.get(path, 0)) != (team_size, numchild):
                Distributor.objects.filter(pk=pk).update(
                    team_size=team.get(path, 0), numchild=kids.get(path, 0)
                )


def network_import(
    *,
    stream: IO[bytes] | bytes,
    file_format: str,
    actor: Principal,
    dry_run: bool = True,
    under_id: int | None = None,
    channel: str = "",
    job_id: int | None = None,
    progress: ProgressCallback | None = None,
    on_row: Callable[[RowOutcome, list[dict[str, Any]]], None] | None = None,
    on_error_rows: Callable[[list[RowOutcome]], None] | None = None,
) -> ImportResult:
    """Check (and unless ``dry_run``, write) one file. Never raises for bad input: the result says why.

    ``on_row`` is called once per data row, in file order, with its outcome (a full row report);
    ``on_error_rows`` with every row that has errors, a chunk at a time (a job's stored report). Both run
    inside the import's transaction, which commits what they write (nothing else, unless written).
    """
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    result = ImportResult(dry_run=dry_run)
    job = _Import(
        actor=actor, dry_run=dry_run, under_id=under_id, channel=channel, job_id=job_id, progress=progress
    )
    try:
        with transaction.atomic():
            if not dry_run:
                locks.tree_write_exclusive()
            job.create_tables()
            job.read(stream, file_format)
            job.check()
            totals = job.totals()
            if not dry_run and not totals["errors"]:
                try:
                    with transaction.atomic():
                        job.apply()
                    result.written = True
                except _CustomersRefused as refused:
                    job.bulk(
                        E,
                        ("line", "code", "field", "message"),
                        [
                            (line, Code.NO_CUSTOMER.value, "email", _("The shop refused to create this customer account."))
                            for line in refused.lines
                        ],
                    )  # fmt: skip
                    job.mark_bad()
                    job.x(f"UPDATE {S} SET action = 'error' WHERE bad = 1")
                    totals = job.totals()
                except _TooDeep:
                    result.file_error = {
                        "code": Code.TREE_TOO_DEEP.value,
                        "message": _("The network would become too deep."),
                        "detail": "",
                    }
                except IntegrityError:
                    result.file_error = {
                        "code": Code.INVALID.value,
                        "message": _(
                            "The file conflicts with changes made meanwhile; nothing was imported. Try again."
                        ),
                        "detail": "",
                    }
            result.totals = totals
            _report(job, result, on_row, on_error_rows)
            job.drop_tables()
    except FileRejected as error:
        result.file_error = {"code": error.code.value, "message": error.message, "detail": error.detail}
    result.totals.setdefault("rows", job.rows)
    return result


def _report(
    job: _Import,
    result: ImportResult,
    on_row: Callable[[RowOutcome, list[dict[str, Any]]], None] | None,
    on_error_rows: Callable[[list[RowOutcome]], None] | None,
) -> None:
    batch: list[RowOutcome] = []
    for outcome in job.outcomes(only_errors=on_row is None):
        if on_row is not None:
            on_row(outcome, list(outcome.errors))
        if not outcome.errors:
            continue
        if len(result.error_rows) < ERROR_ROWS_KEPT:
            result.error_rows.append(
                {"line": outcome.line, "external_id": outcome.external_id, "errors": list(outcome.errors)}
            )
        if on_error_rows is not None:
            batch.append(outcome)
            if len(batch) >= CHUNK:
                on_error_rows(batch)
                batch = []
    if batch and on_error_rows is not None:
        on_error_rows(batch)


__all__ = ["IMPORT_COLUMNS", "ImportResult", "RowOutcome", "network_import"]
