"""A real run that passed every check, in one transaction under the EXCLUSIVE tree lock, set-based:
missing customer accounts created (where the host allows), changed distributors updated, then level by
level (parents first) moved distributors moved with their subtree and new ones numbered and inserted;
inviters set, storefronts created or renamed, ``numchild`` and ``team_size`` recomputed for the trees
touched, and an ``imported`` audit entry for each created or changed distributor. The SQL is in
``db/network_import/writes.py``."""

from __future__ import annotations

import secrets

from django.db import connection
from django.utils import timezone

from ...db.network_import import writes as sql
from ...domain.distributors import REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH
from ...models import DistributorEvent
from .customers import customers_ask
from .state import CHUNK, MAX_DEPTH, CustomersRefused, ImportRun, TooDeep

_CODE_SPACE = len(REFERRAL_CODE_ALPHABET) ** REFERRAL_CODE_LENGTH


def _new_code() -> str:
    """``new_referral_code``'s alphabet and length, from one random number (100,000 codes: 0.2 s)."""
    value = secrets.randbelow(_CODE_SPACE)
    chars = []
    for _step_index in range(REFERRAL_CODE_LENGTH):
        value, rem = divmod(value, len(REFERRAL_CODE_ALPHABET))
        chars.append(REFERRAL_CODE_ALPHABET[rem])
    return "".join(chars)


def rows_write(run: ImportRun) -> None:
    stage = run.stage
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    run.progress("writing", 0)
    refused = customers_ask(run, sql.new_rows_without_account_sql(), create=True)
    if refused:
        raise CustomersRefused(refused)
    _new_codes(run)
    stage.compact()
    sql.update_changed(stage, now, email="email" in run.columns, phone="phone" in run.columns)
    sql.touch_changed_trees(stage)
    done = 0
    for level in range(0, run.max_level + 1):
        done += sql.move_level(stage, level)
        done += sql.insert_level(stage, level, now)
        run.progress("writing", done)
    sql.created_rows_matched(stage)
    sql.inviters_set(stage)
    sql.storefronts_rename(stage, now)
    if run.channel:
        sql.storefronts_create(stage, run.channel, now)
    sql.touched_trees_recount()
    if sql.deepest_touched(stage) > MAX_DEPTH:
        raise TooDeep
    sql.audit_entries(
        stage,
        job_id=run.job_id,
        event_type=DistributorEvent.Type.IMPORTED.value,
        actor=run.actor.actor_label,
        actor_user_id=run.actor.user_id,
        now=now,
    )
    run.progress("writing", run.rows)


def _new_codes(run: ImportRun) -> None:
    """Referral codes of the created distributors that the file gives none: new unique ones."""
    while True:
        last = 0
        while True:
            lines = sql.lines_without_code(run.stage, last, CHUNK)
            if not lines:
                break
            last = lines[-1][0]
            sql.codes_add(run.stage, [(line, _new_code()) for (line,) in lines])
        if not sql.codes_drop_clashes(run.stage):
            return
