"""Import a distribution network (with its hierarchy) from a CSV or XLSX file.

How it runs (README, "Network import"):

1. The file is read row by row (never whole into memory) and every row cleaned on its own
   (``domain/network_import.py``); empty rows are skipped.
2. The rows are checked together: duplicate external ids, referral codes, storefront slugs and people
   (the same e-mail or phone, or a customer who already is another distributor), unknown parents, a row
   that is its own parent, cycles (also through distributors already in the database that the file
   does not list), two top rows of a subtree import, enterprises under individuals, children under
   pending or rejected parents. A parent may come after its child in the file. A row under a row with
   an error gets ``parent_invalid``. Customers are looked up through the host's directory (``ports``).
3. A dry run stops there and reports. A real run with any row error also stops there: it writes
   nothing (all or nothing per file). Otherwise, in one transaction under the EXCLUSIVE tree lock:
   people without an account get one (where the host allows), new distributors are numbered
   (treebeard's path format) and written with COPY, changed rows are updated, moved rows are moved with
   their whole subtree, then ``numchild`` and ``team_size`` are recomputed in SQL for the trees touched,
   and each created or changed distributor gets an ``imported`` audit entry.

A distributor is matched by its external id; a distributor who applied online (no external id) is
known by its referral code, which is what the export writes for it. Re-importing the same file changes
nothing; an edited row updates that distributor (moving it under its new parent if that changed).
"""

from __future__ import annotations

import io
import json
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .. import locks
from ..conf import CustomerDirectoryNotConfigured, get_customer_directory
from ..domain.distributors import REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH, is_member, kind_allowed_under
from ..domain.errors import NetworkImportErrorCode as Code
from ..domain.i18n import gettext_noop as _
from ..domain.network_import import (
    IMPORT_COLUMNS,
    CleanRow,
    HeaderError,
    RowError,
    cell_text,
    clean_row,
    map_header,
    nodes_in_cycles,
)
from ..models import Distributor, DistributorEvent
from ..ports import CustomerRequest, Principal
from ..selectors.distributors import distributor_rows_where_in as rows_where_in
from ..tabular import FileRejected, read_rows

STEPLEN = Distributor.steplen
ALPHABET = Distributor.alphabet
MAX_DEPTH = 63
ERROR_ROWS_KEPT = 1000
PROGRESS_EVERY = 5000
_CHUNK = 5000
_CODE_SPACE = len(REFERRAL_CODE_ALPHABET) ** REFERRAL_CODE_LENGTH
_EXISTING_FIELDS = (
    "pk",
    "path",
    "depth",
    "user_id",
    "external_id",
    "referral_code",
    "kind",
    "status",
    "display_name",
    "email",
    "phone",
    "storefront_slug",
    "approved_at",
)

ProgressCallback = Callable[[str, int], None]


@dataclass(slots=True)
class Existing:
    pk: int
    path: str
    depth: int
    user_id: int
    external_id: str | None
    referral_code: str
    kind: str
    status: str
    display_name: str
    email: str
    phone: str
    storefront_slug: str | None
    approved_at: datetime | None

    @property
    def key(self) -> str:
        return self.external_id if self.external_id is not None else self.referral_code


@dataclass(frozen=True)
class RowOutcome:
    line: int
    external_id: str
    action: str  # create | update | move | unchanged | skip | error
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    dry_run: bool
    totals: dict[str, int] = field(default_factory=dict)
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    file_error: dict[str, str] | None = None
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.totals.get("errors")


class _Abort(Exception):
    """A real run found errors: roll back whatever the transaction holds."""


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


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(query: Q) -> list[Existing]:
    return [Existing(*values) for values in Distributor.objects.filter(query).values_list(*_EXISTING_FIELDS)]


class _Import:
    def __init__(
        self,
        *,
        actor: Principal,
        dry_run: bool,
        under_id: int | None,
        job_id: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.actor = actor
        self.dry_run = dry_run
        self.under_id = under_id
        self.job_id = job_id
        self.progress = progress or (lambda phase, count: None)
        self.rows: list[CleanRow] = []
        self.columns: set[str] = set()
        self.skipped = 0
        self.under: Existing | None = None

    # --- reading -------------------------------------------------------------------------------------

    def read(self, stream: IO[bytes], file_format: str) -> None:
        header: dict[str, int] | None = None
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
            self.rows.append(clean_row(line, values))
            if len(self.rows) % PROGRESS_EVERY == 0:
                self.progress("reading", len(self.rows))
        if header is None:
            raise FileRejected(Code.MISSING_COLUMNS, _("The file is empty."))
        self.progress("reading", len(self.rows))

    # --- checking ------------------------------------------------------------------------------------

    def check(self) -> None:
        rows = self.rows
        n = len(rows)
        self.progress("checking", 0)
        if self.under_id is not None:
            found = _load_existing(Q(pk=self.under_id))
            if not found:
                raise FileRejected(Code.NOT_FOUND, _("The distributor to import under does not exist."))
            self.under = found[0]

        # duplicates inside the file
        self.index_by_key: dict[str, int] = {}
        seen: dict[str, dict[str, int]] = {"code": {}, "slug": {}, "email": {}, "phone": {}}
        for i, row in enumerate(rows):
            if row.external_id:
                if row.external_id in self.index_by_key:
                    first = rows[self.index_by_key[row.external_id]].line
                    self._error(
                        i,
                        Code.DUPLICATE_EXTERNAL_ID,
                        "external_id",
                        _("This external id is also on an earlier row."),
                        first,
                    )
                else:
                    self.index_by_key[row.external_id] = i
            for name, value, code, message in (
                (
                    "code",
                    row.referral_code,
                    Code.DUPLICATE_CODE,
                    _("This referral code is also on an earlier row."),
                ),
                (
                    "slug",
                    row.storefront_slug,
                    Code.DUPLICATE_SLUG,
                    _("This storefront slug is also on an earlier row."),
                ),
                (
                    "email",
                    row.email,
                    Code.DUPLICATE_PERSON,
                    _("This e-mail address is also on an earlier row."),
                ),
                (
                    "phone",
                    row.phone,
                    Code.DUPLICATE_PERSON,
                    _("This phone number is also on an earlier row."),
                ),
            ):
                if value:
                    if value in seen[name]:
                        self._error(i, code, _FIELDS[name], message, rows[seen[name][value]].line)
                    else:
                        seen[name][value] = i

        # what the database already has
        keys = sorted(
            {r.external_id for r in rows if r.external_id}
            | {r.parent_external_id for r in rows if r.parent_external_id}
        )
        self.existing_by_key: dict[str, Existing] = {}
        for values in rows_where_in("external_id", keys, _EXISTING_FIELDS):
            self.existing_by_key[values[4]] = Existing(*values)
        for values in rows_where_in("referral_code", keys, _EXISTING_FIELDS):
            if values[4] is None:  # known by its referral code: it has no external id
                self.existing_by_key[values[5]] = Existing(*values)
        codes = sorted(seen["code"])
        by_code: dict[str, Existing] = {}
        by_code.update((v[5], Existing(*v)) for v in rows_where_in("referral_code", codes, _EXISTING_FIELDS))
        by_slug = dict(rows_where_in("storefront_slug", sorted(seen["slug"]), ("storefront_slug", "pk")))

        # match rows to distributors
        self.matched: list[Existing | None] = [None] * n
        self.row_by_pk: dict[int, int] = {}
        for i, row in enumerate(rows):
            if not row.external_id or self.index_by_key.get(row.external_id) != i:
                continue
            ex = self.existing_by_key.get(row.external_id)
            other = by_code.get(row.referral_code) if row.referral_code else None
            if ex is None and other is not None and other.external_id is None:
                ex = other  # a distributor who applied online, now given the brand's external id
            if other is not None and (ex is None or other.pk != ex.pk):
                self._error(
                    i,
                    Code.DUPLICATE_CODE,
                    "referral_code",
                    _("Another distributor already has this referral code."),
                )
            slug_owner = by_slug.get(row.storefront_slug) if row.storefront_slug else None
            if slug_owner is not None and (ex is None or slug_owner != ex.pk):
                self._error(
                    i,
                    Code.DUPLICATE_SLUG,
                    "storefront_slug",
                    _("Another distributor already has this storefront slug."),
                )
            if ex is not None:
                if ex.pk in self.row_by_pk:
                    self._error(
                        i,
                        Code.DUPLICATE_PERSON,
                        "external_id",
                        _("Another row already stands for this distributor."),
                        rows[self.row_by_pk[ex.pk]].line,
                    )
                else:
                    self.matched[i] = ex
                    self.row_by_pk[ex.pk] = i

        self._check_customers()
        self._resolve_parents()
        self.progress("checking", n)

    def _check_customers(self) -> None:
        """New rows need a customer account: the host's, matched by e-mail or phone (or to be created)."""
        rows = self.rows
        self.user_ids: list[int | None] = [None] * len(rows)
        self.new_rows = [i for i, r in enumerate(rows) if self.matched[i] is None and r.external_id]
        wanted = []
        for i in self.new_rows:
            if rows[i].errors:
                continue  # no account is looked up (or created) for a row that cannot be imported
            if rows[i].email or rows[i].phone:
                wanted.append(i)
            else:
                self._error(
                    i,
                    Code.CONTACT_REQUIRED,
                    "email",
                    _("A new distributor needs an e-mail address or a phone number."),
                )
        if not wanted:
            return
        try:
            directory = get_customer_directory()
        except CustomerDirectoryNotConfigured:
            raise FileRejected(
                Code.NO_CUSTOMER,
                _("New distributors need customer accounts, and the shop has none to offer."),
            ) from None
        requests = [CustomerRequest(rows[i].email, rows[i].phone, rows[i].display_name) for i in wanted]
        # a real run creates the missing accounts now, in this transaction: rolled back if any row fails
        matches = directory.find_or_create_customers(requests, create=not self.dry_run)
        found = [m.user_id for m in matches if m.user_id is not None]
        taken = dict(rows_where_in("user_id", found, ("user_id", "pk")))
        first_row: dict[int, int] = {}
        for i, match in zip(wanted, matches, strict=True):
            if match.user_id is None:
                if not match.created:
                    self._error(
                        i,
                        Code.NO_CUSTOMER,
                        "email",
                        _("No customer account has this e-mail or phone, and none can be created."),
                    )
                continue
            if match.user_id in taken:
                self._error(
                    i,
                    Code.DUPLICATE_PERSON,
                    "email",
                    _("This person is already a distributor (under another external id)."),
                )
            elif match.user_id in first_row:
                self._error(
                    i,
                    Code.DUPLICATE_PERSON,
                    "email",
                    _("This person is also on an earlier row."),
                    rows[first_row[match.user_id]].line,
                )
            else:
                first_row[match.user_id] = i
                self.user_ids[i] = match.user_id

    def _resolve_parents(self) -> None:
        rows = self.rows
        n = len(rows)
        under = self.under
        under_key = under.key if under else None
        self.parent_row: list[int | None] = [None] * n  # the parent is this row of the file
        self.parent_existing: list[Existing | None] = [None] * n  # the parent is this distributor
        tops: list[int] = []
        for i, row in enumerate(rows):
            if not row.external_id or self.index_by_key.get(row.external_id) != i:
                continue
            key = row.parent_external_id
            if not key or key == under_key:
                if under is not None:
                    if tops:
                        self._error(
                            i,
                            Code.TWO_ROOTS,
                            "parent_external_id",
                            _("A subtree import has one top row; an earlier row already is it."),
                            rows[tops[0]].line,
                        )
                    tops.append(i)
                    self.parent_existing[i] = under
                continue
            if key == row.external_id:
                self._error(
                    i, Code.SELF_PARENT, "parent_external_id", _("A distributor cannot be its own parent.")
                )
                continue
            if key in self.index_by_key:
                self.parent_row[i] = self.index_by_key[key]
                continue
            ex = self.existing_by_key.get(key)
            if ex is not None and ex.pk in self.row_by_pk:  # adopted by its referral code in this file
                self.parent_row[i] = self.row_by_pk[ex.pk]
            elif ex is not None and (under is None or ex.path.startswith(under.path)):
                self.parent_existing[i] = ex
            else:
                self._error(
                    i,
                    Code.UNKNOWN_PARENT,
                    "parent_external_id",
                    _("No row of this file and no distributor has this parent external id."),
                )

        # cycles, also through distributors the file does not list: walk existing parents' ancestors
        ancestor_pk: dict[str, int] = {}
        prefixes = sorted(
            {
                ex.path[:k]
                for ex in self.parent_existing
                if ex is not None
                for k in range(STEPLEN, len(ex.path), STEPLEN)
            }
        )
        ancestor_pk.update(rows_where_in("path", prefixes, ("path", "pk")))
        graph: dict[int, int | None] = {}
        for i in range(n):
            if self.parent_row[i] is not None:
                graph[i] = self.parent_row[i]
            elif (ex := self.parent_existing[i]) is not None and self.row_by_pk:
                graph[i] = None
                for k in range(len(ex.path) - STEPLEN, 0, -STEPLEN):
                    pk = ancestor_pk.get(ex.path[:k])
                    if pk is not None and pk in self.row_by_pk:
                        graph[i] = self.row_by_pk[pk]
                        break
                if under is not None and graph[i] is None and under.pk in self.row_by_pk:
                    graph[i] = self.row_by_pk[under.pk]
        for i in sorted(nodes_in_cycles(graph)):
            self._error(
                i,
                Code.CYCLE,
                "parent_external_id",
                _("The parent chain of this row comes back to it (a cycle)."),
            )

        # parents first; kinds and statuses under their parents; rows under rows with errors
        children: dict[int, list[int]] = {}
        starts = []
        for i in range(n):
            p = self.parent_row[i]
            if p is not None:
                children.setdefault(p, []).append(i)
            elif rows[i].external_id and self.index_by_key.get(rows[i].external_id) == i:
                starts.append(i)
        order: list[int] = []
        queue = deque(starts)
        while queue:
            i = queue.popleft()
            order.append(i)
            queue.extend(children.get(i, ()))
        reached = set(order)
        self.order = order
        for i in order:
            row = rows[i]
            p = self.parent_row[i]
            if p is not None and rows[p].errors:
                self._error(
                    i,
                    Code.PARENT_INVALID,
                    "parent_external_id",
                    _("The parent row has errors, so this row cannot be placed."),
                    rows[p].line,
                )
                continue
            parent_kind, parent_status = (
                (rows[p].kind, rows[p].status)
                if p is not None
                else (self.parent_existing[i].kind, self.parent_existing[i].status)
                if self.parent_existing[i]
                else (None, None)
            )
            if parent_kind is not None and not kind_allowed_under(row.kind, parent_kind):
                self._error(
                    i,
                    Code.KIND_NOT_ALLOWED_UNDER_PARENT,
                    "kind",
                    _("An enterprise distributor cannot sit under an individual distributor."),
                )
            if parent_status is not None and not is_member(parent_status):
                self._error(
                    i,
                    Code.PARENT_NOT_APPROVED,
                    "parent_external_id",
                    _("Only active or suspended distributors can have a team."),
                )
        for i in range(n):
            if i not in reached and not rows[i].errors:
                self._error(
                    i,
                    Code.PARENT_INVALID,
                    "parent_external_id",
                    _("The parent row has errors, so this row cannot be placed."),
                )
        self._check_existing_teams()

    def _check_existing_teams(self) -> None:
        """A distributor whose team stays (children the file does not move away) must stay approved, and
        an enterprise team member keeps its upline an enterprise."""
        rows = self.rows
        candidates = [
            i
            for i, ex in enumerate(self.matched)
            if ex is not None
            and not rows[i].errors
            and (not is_member(rows[i].status) or (rows[i].kind != ex.kind and rows[i].kind == "individual"))
        ]
        for i in candidates:
            ex = self.matched[i]
            children = Distributor.objects.filter(path__startswith=ex.path, depth=ex.depth + 1).values_list(
                "pk", "kind"
            )
            staying = [
                kind
                for pk, kind in children
                if pk not in self.row_by_pk
                or self.parent_row[self.row_by_pk[pk]] == i
                or (
                    self.parent_row[self.row_by_pk[pk]] is None
                    and self.parent_existing[self.row_by_pk[pk]] is not None
                    and self.parent_existing[self.row_by_pk[pk]].pk == ex.pk
                )
            ]
            if staying and not is_member(rows[i].status):
                self._error(
                    i,
                    Code.PARENT_NOT_APPROVED,
                    "status",
                    _("Only active or suspended distributors can have a team."),
                )
            if rows[i].kind == "individual" and "enterprise" in staying:
                self._error(
                    i,
                    Code.KIND_NOT_ALLOWED_UNDER_PARENT,
                    "kind",
                    _("An enterprise distributor cannot sit under an individual distributor."),
                )

    def _error(
        self, i: int, code: Code, field_: str | None, message: str, other_line: int | None = None
    ) -> None:
        self.rows[i].errors.append(RowError(code, field_, message, other_line))

    # --- actions -------------------------------------------------------------------------------------

    def plan_actions(self) -> list[str]:
        rows = self.rows
        self.changes: dict[int, dict[str, Any]] = {}  # only rows that change
        self.moves: list[bool] = [False] * len(rows)
        actions = []
        for i, row in enumerate(rows):
            ex = self.matched[i]
            if row.errors:
                actions.append("error")
                continue
            if ex is None:
                actions.append("create")
                continue
            wanted = {"kind": row.kind, "display_name": row.display_name, "status": row.status}
            for column in ("email", "phone"):
                if column in self.columns:
                    wanted[column] = getattr(row, column)
            if "storefront_slug" in self.columns:
                wanted["storefront_slug"] = row.storefront_slug or None
            if row.referral_code:
                wanted["referral_code"] = row.referral_code
            if ex.external_id is None and row.external_id != ex.referral_code:
                wanted["external_id"] = row.external_id
            if wanted.get("email") == ex.email.lower():
                del wanted["email"]  # e-mail addresses compare without case
            changes = {k: v for k, v in wanted.items() if getattr(ex, k) != v}
            if changes:
                self.changes[i] = changes
            self.moves[i] = self._current_parent_path(ex) != self._wanted_parent_path(i)
            actions.append("move" if self.moves[i] else "update" if i in self.changes else "unchanged")
        return actions

    @staticmethod
    def _current_parent_path(ex: Existing) -> str:
        return ex.path[:-STEPLEN]

    def _wanted_parent_path(self, i: int) -> str | None:
        """The wanted parent's path, None when the parent is a row that does not exist yet."""
        p = self.parent_row[i]
        if p is not None:
            return self.matched[p].path if self.matched[p] is not None else None
        ex = self.parent_existing[i]
        return ex.path if ex is not None else ""

    # --- writing -------------------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        rows = self.rows
        now = timezone.now()
        self.progress("writing", 0)
        codes = self._new_codes()

        path_of_pk: dict[int, str] = {}  # current paths of the distributors we place rows under or move
        for ex in [*self.matched, *self.parent_existing]:
            if ex is not None:
                path_of_pk[ex.pk] = ex.path
        new_path: dict[int, str] = {}  # row -> path of a created distributor
        next_child: dict[Any, int] = {}
        buffer: list[tuple] = []
        touched_roots: set[str] = set()
        moved = 0

        def parent_of(i: int) -> tuple[Any, str]:
            p = self.parent_row[i]
            if p is not None:
                ex = self.matched[p]
                return (("pk", ex.pk), path_of_pk[ex.pk]) if ex is not None else (("row", p), new_path[p])
            ex = self.parent_existing[i]
            return (("pk", ex.pk), path_of_pk[ex.pk]) if ex is not None else (("brand",), "")

        def child_path(identity: Any, parent_path: str) -> str:
            if identity not in next_child:
                if identity[0] == "row":
                    next_child[identity] = 1
                else:
                    depth = len(parent_path) // STEPLEN + 1
                    last = Distributor.objects.filter(path__startswith=parent_path, depth=depth).aggregate(
                        m=Max("path")
                    )["m"]
                    next_child[identity] = _step_value(last[-STEPLEN:]) + 1 if last else 1
            position = next_child[identity]
            next_child[identity] = position + 1
            return parent_path + _step(position)

        for count, i in enumerate(self.order, start=1):
            row, ex = rows[i], self.matched[i]
            if ex is None:
                identity, parent_path = parent_of(i)
                path = child_path(identity, parent_path)
                if len(path) // STEPLEN > MAX_DEPTH:
                    raise _TooDeep
                new_path[i] = path
                touched_roots.add(path[:STEPLEN])
                member = is_member(row.status)
                buffer.append(
                    (
                        path,
                        len(path) // STEPLEN,
                        self.user_ids[i],
                        row.email,
                        row.phone,
                        row.kind,
                        row.status,
                        row.display_name,
                        codes[i],
                        row.external_id,
                        row.storefront_slug or None,
                        now,
                        now if member else None,
                    )
                )
                if len(buffer) >= _CHUNK:
                    self._flush(buffer, now)
            elif self.moves[i]:
                self._flush(buffer, now)
                identity, parent_path = parent_of(i)
                old = path_of_pk[ex.pk]
                new = child_path(identity, parent_path)
                touched_roots.update((old[:STEPLEN], new[:STEPLEN]))
                self._move_subtree(old, new)
                moved += 1
                for mapping in (path_of_pk, new_path):
                    for k, v in mapping.items():
                        if v.startswith(old):
                            mapping[k] = new + v[len(old) :]
            if count % PROGRESS_EVERY == 0:
                self.progress("writing", count)
        self._flush(buffer, now)
        self._update_changed(now)
        if self.under is not None:
            touched_roots.add(path_of_pk.get(self.under.pk, self.under.path)[:STEPLEN])
        roots = sorted(touched_roots | {path_of_pk[self.matched[i].pk][:STEPLEN] for i in self.changes})
        if roots:
            _recount(roots)
            if _max_depth(roots) > MAX_DEPTH:
                raise _TooDeep
        self._audit(new_path, now)
        self.progress("writing", len(self.order))
        return {"moved_subtrees": moved}

    def _new_codes(self) -> dict[int, str]:
        """Referral codes of the created distributors: the file's, else new unique ones."""
        rows = self.rows
        codes = {i: rows[i].referral_code for i in self.new_rows if rows[i].referral_code}
        used = {r.referral_code for r in rows if r.referral_code}
        missing = [i for i in self.new_rows if i not in codes]
        while missing:
            fresh: dict[str, int] = {}
            for i in missing:
                code = _new_code()
                if code not in used and code not in fresh:
                    fresh[code] = i
            taken = {v[0] for v in rows_where_in("referral_code", list(fresh), ("referral_code",))}
            for code, i in fresh.items():
                if code not in taken:
                    codes[i] = code
                    used.add(code)
            missing = [i for i in missing if i not in codes]
        return codes

    def _flush(self, buffer: list[tuple], now: datetime) -> None:
        if not buffer:
            return
        if connection.vendor == "postgresql":
            table = Distributor._meta.db_table
            columns = (
                "path, depth, user_id, email, phone, kind, status, display_name, referral_code, external_id,"
                " storefront_slug, created_at, approved_at, updated_at, numchild, team_size"
            )
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for values in buffer:
                    copy.write_row((*values, now, 0, 0))
        else:
            Distributor.objects.bulk_create(
                [
                    Distributor(
                        path=v[0],
                        depth=v[1],
                        user_id=v[2],
                        email=v[3],
                        phone=v[4],
                        kind=v[5],
                        status=v[6],
                        display_name=v[7],
                        referral_code=v[8],
                        external_id=v[9],
                        storefront_slug=v[10],
                        approved_at=v[12],
                        numchild=0,
                        team_size=0,
                    )
                    for v in buffer
                ],
                batch_size=500,
            )
        buffer.clear()

    @staticmethod
    def _move_subtree(old: str, new: str) -> None:
        delta = (len(new) - len(old)) // STEPLEN
        table = Distributor._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET path = %s || SUBSTR(path, %s), depth = depth + %s"  # noqa: S608
                " WHERE path LIKE %s",
                [new, len(old) + 1, delta, old + "%"],
            )

    def _update_changed(self, now: datetime) -> None:
        changed = sorted(self.changes)
        if not changed:
            return
        fields = sorted({k for i in changed for k in self.changes[i]} | {"approved_at", "updated_at"})
        objects = []
        for i in changed:
            ex = self.matched[i]
            values = {f: getattr(ex, f) for f in fields if f not in ("updated_at",)}
            values.update(self.changes[i])
            if (
                "status" in self.changes[i]
                and is_member(self.changes[i]["status"])
                and ex.approved_at is None
            ):
                values["approved_at"] = now
            objects.append(Distributor(pk=ex.pk, updated_at=now, **values))
        Distributor.objects.bulk_update(objects, fields, batch_size=1000)

    def _audit(self, new_path: dict[int, str], now: datetime) -> None:
        """One ``imported`` entry per created or changed distributor (COPY on PostgreSQL)."""
        rows = self.rows
        pks = dict(
            rows_where_in("external_id", [rows[i].external_id for i in new_path], ("external_id", "pk"))
        )
        created = json.dumps({"job": self.job_id, "action": "created"})
        events = [(pks[rows[i].external_id], created) for i in new_path]
        for i, ex in enumerate(self.matched):
            if ex is not None and (i in self.changes or self.moves[i]):
                data = {
                    "job": self.job_id,
                    "action": "move" if self.moves[i] else "update",
                    "changes": sorted(self.changes.get(i, ())),
                }
                events.append((ex.pk, json.dumps(data)))
        actor, actor_id, kind = (
            self.actor.actor_label,
            self.actor.user_id,
            DistributorEvent.Type.IMPORTED.value,
        )
        if connection.vendor == "postgresql":
            columns = "distributor_id, type, actor, actor_user_id, data, created_at"
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {DistributorEvent._meta.db_table} ({columns}) FROM STDIN") as copy,
            ):
                for pk, data in events:
                    copy.write_row((pk, kind, actor, actor_id, data, now))
            return
        DistributorEvent.objects.bulk_create(
            [
                DistributorEvent(
                    distributor_id=pk, type=kind, actor=actor, actor_user_id=actor_id, data=json.loads(data)
                )
                for pk, data in events
            ],
            batch_size=500,
        )


_FIELDS = {"code": "referral_code", "slug": "storefront_slug", "email": "email", "phone": "phone"}


class _TooDeep(Exception):
    pass


class _CustomerConflict(Exception):
    pass


def _new_code() -> str:
    """``new_referral_code``'s alphabet and length, from one random number (100,000 codes: 0.2 s)."""
    value = secrets.randbelow(_CODE_SPACE)
    chars = []
    for _step_index in range(REFERRAL_CODE_LENGTH):
        value, rem = divmod(value, len(REFERRAL_CODE_ALPHABET))
        chars.append(REFERRAL_CODE_ALPHABET[rem])
    return "".join(chars)


def _in_trees(roots: list[str]) -> Q:
    return Q(path__regex=r"^(" + "|".join(roots) + ")")  # roots are [0-9A-Z]{4}: nothing to escape


def _max_depth(roots: list[str]) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(depth) FROM {Distributor._meta.db_table} WHERE SUBSTR(path, 1, %s) = ANY(%s)",  # noqa: S608
                [STEPLEN, roots],
            )
            return cursor.fetchone()[0] or 0
    return Distributor.objects.filter(_in_trees(roots)).aggregate(d=Max("depth"))["d"] or 0


def _recount(roots: list[str]) -> None:
    """``numchild`` and ``team_size`` (approved descendants) of every node in these top-level trees."""
    table = Distributor._meta.db_table
    if connection.vendor == "postgresql":
        sql = f"""
            WITH scope AS (
                SELECT id, path, depth, status FROM {table} WHERE SUBSTR(path, 1, %(step)s) = ANY(%(roots)s)
            ),
            members AS (
                SELECT SUBSTR(s.path, 1, %(step)s * k) AS ancestor, COUNT(*) AS n
                FROM scope s CROSS JOIN LATERAL generate_series(1, s.depth - 1) AS k
                WHERE s.status IN ('active', 'suspended') GROUP BY 1
            ),
            kids AS (
                SELECT SUBSTR(path, 1, LENGTH(path) - %(step)s) AS parent, COUNT(*) AS n
                FROM scope WHERE depth > 1 GROUP BY 1
            ),
            wanted AS (
                SELECT s.id, COALESCE(m.n, 0) AS team_size, COALESCE(k.n, 0) AS numchild
                FROM scope s LEFT JOIN members m ON m.ancestor = s.path LEFT JOIN kids k ON k.parent = s.path
            )
            UPDATE {table} d SET team_size = w.team_size, numchild = w.numchild FROM wanted w
            WHERE d.id = w.id AND (d.team_size <> w.team_size OR d.numchild <> w.numchild)
        """  # noqa: S608 - the table name is our model's
        with connection.cursor() as cursor:
            cursor.execute(sql, {"step": STEPLEN, "roots": roots})
        return
    nodes = list(
        Distributor.objects.filter(_in_trees(roots)).values_list(
            "pk", "path", "status", "team_size", "numchild"
        )
    )
    team: dict[str, int] = {}
    kids: dict[str, int] = {}
    for _pk, path, status, _t, _c in nodes:
        if len(path) > STEPLEN:
            kids[path[:-STEPLEN]] = kids.get(path[:-STEPLEN], 0) + 1
        if is_member(status):
            for k in range(STEPLEN, len(path), STEPLEN):
                team[path[:k]] = team.get(path[:k], 0) + 1
    for pk, path, _s, team_size, numchild in nodes:
        if (team.get(path, 0), kids.get(path, 0)) != (team_size, numchild):
            Distributor.objects.filter(pk=pk).update(team_size=team.get(path, 0), numchild=kids.get(path, 0))


def _row_errors(row: CleanRow) -> list[dict[str, Any]]:
    out = []
    for error in row.errors:
        entry: dict[str, Any] = {"code": error.code.value, "field": error.field, "message": error.message}
        if error.other_line is not None:
            entry["other_line"] = error.other_line
        out.append(entry)
    return out


def network_import(
    *,
    stream: IO[bytes] | bytes,
    file_format: str,
    actor: Principal,
    dry_run: bool = True,
    under_id: int | None = None,
    job_id: int | None = None,
    progress: ProgressCallback | None = None,
    on_row: Callable[[RowOutcome, list[dict[str, Any]]], None] | None = None,
) -> ImportResult:
    """Check (and unless ``dry_run``, write) one file. Never raises for bad input: the result says why.

    ``on_row`` is called once per data row, in file order, with its outcome (for a full row report);
    the result keeps the first ``ERROR_ROWS_KEPT`` rows with errors.
    """
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    result = ImportResult(dry_run=dry_run)
    job = _Import(actor=actor, dry_run=dry_run, under_id=under_id, job_id=job_id, progress=progress)
    try:
        with transaction.atomic():
            if not dry_run:
                locks.tree_write_exclusive()
            job.read(stream, file_format)
            job.check()
            actions = job.plan_actions()
            totals = {"rows": len(job.rows), "skipped": job.skipped, "errors": 0}
            for name in ("create", "update", "move", "unchanged"):
                totals[name] = 0
            for row, action in zip(job.rows, actions, strict=True):
                totals[action if action != "error" else "errors"] += 1
                errors = _row_errors(row)
                if errors and len(result.error_rows) < ERROR_ROWS_KEPT:
                    result.error_rows.append(
                        {"line": row.line, "external_id": row.external_id, "errors": errors}
                    )
                if on_row is not None:
                    on_row(RowOutcome(row.line, row.external_id, action, tuple(row.errors)), errors)
            totals["ok"] = totals["rows"] - totals["errors"]
            result.totals = totals
            if dry_run or totals["errors"]:
                raise _Abort
            job.write()
            result.written = True
    except _Abort:
        pass
    except FileRejected as error:
        result.file_error = {"code": error.code.value, "message": error.message, "detail": error.detail}
    except _TooDeep:
        result.file_error = {
            "code": Code.TREE_TOO_DEEP.value,
            "message": _("The network would become too deep."),
            "detail": "",
        }
    except (_CustomerConflict, IntegrityError) as error:
        result.file_error = {
            "code": Code.DUPLICATE_PERSON.value
            if isinstance(error, _CustomerConflict)
            else Code.INVALID.value,
            "message": _("The file conflicts with changes made meanwhile; nothing was imported. Try again."),
            "detail": "",
        }
    result.totals.setdefault("rows", len(job.rows))
    return result


__all__ = ["IMPORT_COLUMNS", "ImportResult", "RowOutcome", "network_import"]
