"""The rules a network file's rows must keep, checked together over the staging table (the SQL of each
rule is in ``db/network_import/checks.py``): unique external ids, referral codes, storefront addresses and
people; rows matched to distributors; customer accounts; known parents and inviters; storefronts; teams
that stay approved and enterprise-only; and, parents first, rows under rows with errors."""

from __future__ import annotations

from ...db.network_import import checks as sql
from ...domain.errors import NetworkImportErrorCode as Code
from ...domain.i18n import gettext_noop as _
from ...tabular import FileRejected
from .customers import customers_ask
from .placement import levels_place, plan
from .state import ImportRun


def rows_check(run: ImportRun) -> None:
    run.progress("checking", 0)
    stage = run.stage
    if run.under_id is not None:
        run.under = sql.distributor_place(stage, run.under_id)
        if run.under is None:
            raise FileRejected(Code.NOT_FOUND, _("The distributor to import under does not exist."))
    _duplicates(run)
    _match(run)
    _customers(run)
    stage.compact()
    _parents(run)
    _inviters(run)
    _storefronts(run)
    stage.compact()
    levels_place(run)
    _existing_teams(run)
    stage.mark_bad()
    stage.compact()
    _parents_first(run)
    plan(run)
    stage.compact()
    run.progress("checking", run.rows)


def _duplicates(run: ImportRun) -> None:
    sql.mark_repeated_external_ids(run.stage)
    earlier = _("This external id is also on an earlier row.")
    for column, code, field_, message in (
        ("external_id", Code.DUPLICATE_EXTERNAL_ID, "external_id", earlier),
        (
            "referral_code",
            Code.DUPLICATE_CODE,
            "referral_code",
            _("This referral code is also on an earlier row."),
        ),
        (
            "slug",
            Code.DUPLICATE_SLUG,
            "storefront_slug",
            _("This storefront slug is also on an earlier row."),
        ),
        ("email", Code.DUPLICATE_PERSON, "email", _("This e-mail address is also on an earlier row.")),
        ("phone", Code.DUPLICATE_PERSON, "phone", _("This phone number is also on an earlier row.")),
    ):
        run.flag(sql.repeats_earlier_row_sql(column), [], code, field_, message)


def _match(run: ImportRun) -> None:
    """Each first row of an external id to its distributor (by external id, or an online one's code)."""
    sql.match_distributors(run.stage)
    run.flag(
        sql.code_of_another_distributor_sql(),
        [],
        Code.DUPLICATE_CODE,
        "referral_code",
        _("Another distributor already has this referral code."),
    )
    run.flag(
        sql.same_distributor_as_earlier_row_sql(),
        [],
        Code.DUPLICATE_PERSON,
        "external_id",
        _("Another row already stands for this distributor."),
    )
    run.stage.mark_bad()
    sql.unmatch_later_rows_of_one_distributor(run.stage)


def _customers(run: ImportRun) -> None:
    """New rows need a customer account: the host's, matched by e-mail or phone (or to be created)."""
    run.flag(
        sql.new_without_contact_sql(),
        [],
        Code.CONTACT_REQUIRED,
        "email",
        _("A new distributor needs an e-mail address or a phone number."),
    )
    run.stage.mark_bad()
    # no account is looked up (or created) for a row that cannot be imported; a real run creates the
    # missing accounts only once every row has passed (``rows_write``)
    customers_ask(run, sql.NEW_AND_GOOD, create=False)
    run.flag(
        sql.no_customer_account_sql(),
        [],
        Code.NO_CUSTOMER,
        "email",
        _("No customer account has this e-mail or phone, and none can be created."),
    )
    run.flag(
        sql.customer_already_distributor_sql(),
        [],
        Code.DUPLICATE_PERSON,
        "email",
        _("This person is already a distributor (under another external id)."),
    )
    run.flag(
        sql.customer_on_earlier_row_sql(),
        [],
        Code.DUPLICATE_PERSON,
        "email",
        _("This person is also on an earlier row."),
    )


def _parents(run: ImportRun) -> None:
    under = run.under
    if under is not None:
        under_key = under[3] if under[3] is not None else under[4]
        sql.mark_top_rows(run.stage, under[0], under_key)
        run.flag(
            sql.second_top_row_sql(),
            [],
            Code.TWO_ROOTS,
            "parent_external_id",
            _("A subtree import has one top row; an earlier row already is it."),
        )
    run.flag(
        sql.own_parent_sql(),
        [],
        Code.SELF_PARENT,
        "parent_external_id",
        _("A distributor cannot be its own parent."),
    )
    sql.resolve_parents(run.stage)
    if under is not None:  # a subtree import places rows under the subtree's distributors only
        sql.forget_parents_outside(run.stage, under[1])
    run.flag(
        sql.unknown_parent_sql(),
        [],
        Code.UNKNOWN_PARENT,
        "parent_external_id",
        _("No row of this file and no distributor has this parent external id."),
    )


def _inviters(run: ImportRun) -> None:
    run.flag(
        sql.own_inviter_sql(),
        [],
        Code.SELF_INVITER,
        "inviter_external_id",
        _("A distributor cannot be its own inviter."),
    )
    sql.resolve_inviters(run.stage)
    run.flag(
        sql.unknown_inviter_sql(),
        [],
        Code.UNKNOWN_INVITER,
        "inviter_external_id",
        _("No row of this file and no distributor has this inviter external id."),
    )


def _storefronts(run: ImportRun) -> None:
    run.flag(
        sql.slug_of_another_storefront_sql(),
        [],
        Code.SLUG_TAKEN,
        "storefront_slug",
        _("Another storefront already has this address."),
    )
    if not run.channel:
        run.flag(
            sql.new_storefront_sql(),
            [],
            Code.CHANNEL_REQUIRED,
            "storefront_slug",
            _("Creating storefronts needs a channel: give the import one, or leave the column empty."),
        )


def _existing_teams(run: ImportRun) -> None:
    """A distributor whose team stays (children the file does not move away) must stay approved, and
    an enterprise team member keeps its upline an enterprise."""
    run.stage.mark_bad()
    run.flag(
        sql.team_under_non_member_sql(run.stage),
        [],
        Code.PARENT_NOT_APPROVED,
        "status",
        _("Only active or suspended distributors can have a team."),
    )
    run.flag(
        sql.enterprise_team_under_individual_sql(run.stage),
        [],
        Code.KIND_NOT_ALLOWED_UNDER_PARENT,
        "kind",
        _("An enterprise distributor cannot sit under an individual distributor."),
    )


def _parents_first(run: ImportRun) -> None:
    """Parents first: a row under a row with errors cannot be placed; kinds and statuses under their
    parents (the file's values for parent rows, the database's for distributors it does not list)."""
    for level in range(0, run.max_level + 1):
        run.flag(
            sql.under_bad_row_sql(),
            [level],
            Code.PARENT_INVALID,
            "parent_external_id",
            _("The parent row has errors, so this row cannot be placed."),
        )
        run.stage.mark_bad()
        run.flag(
            sql.enterprise_under_individual_sql(),
            [level],
            Code.KIND_NOT_ALLOWED_UNDER_PARENT,
            "kind",
            _("An enterprise distributor cannot sit under an individual distributor."),
        )
        run.flag(
            sql.under_non_member_sql(),
            [level],
            Code.PARENT_NOT_APPROVED,
            "parent_external_id",
            _("Only active or suspended distributors can have a team."),
        )
        run.stage.mark_bad()
