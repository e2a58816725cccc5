"""Customer accounts for new distributors, through the host's directory (``ports``), a chunk of rows at a
time: looked up while checking, created (where the host allows) only by a real run that passed."""

from __future__ import annotations

from typing import Any

from ...conf import CustomerDirectoryNotConfigured, get_customer_directory
from ...db.network_import import checks as sql
from ...db.network_import.staging import CUST
from ...domain.errors import NetworkImportErrorCode as Code
from ...domain.i18n import gettext_noop as _
from ...ports import CustomerRequest, HostUnavailable
from ...tabular import FileRejected
from .state import CHUNK, ImportRun


def _directory() -> Any:
    try:
        return get_customer_directory()
    except CustomerDirectoryNotConfigured:
        raise FileRejected(
            Code.NO_CUSTOMER,
            _("New distributors need customer accounts, and the shop has none to offer."),
        ) from None


def customers_ask(run: ImportRun, where: str, *, create: bool) -> list[int]:
    """Ask the host about the rows ``where`` selects, a chunk at a time; returns rows it refused."""
    directory = None
    refused: list[int] = []
    last = 0
    while True:
        chunk = sql.people_after(run.stage, where, last, CHUNK)
        if not chunk:
            break
        last = chunk[-1][0]
        directory = directory or _directory()
        try:
            matches = directory.find_or_create_customers(
                [CustomerRequest(email, phone, name) for _l, email, phone, name in chunk], create=create
            )
        except HostUnavailable as error:  # App mode: Saleor did not answer; the import rolls back
            raise FileRejected(
                Code.HOST_UNAVAILABLE,
                _("The shop's customer accounts could not be reached; nothing was imported. Try again."),
                detail=str(error.message),
            ) from error
        answers = []
        for (line, *_rest), match in zip(chunk, matches, strict=True):
            answers.append((line, match.user_id, 1 if match.created else 0))
            if match.user_id is None and (create or not match.created):
                refused.append(line)
        # the rows asked have no account yet (the real run asks again for those it must create)
        sql.customers_record(run.stage, chunk[0][0], last, answers)
    run.stage.analyze(CUST)
    return refused
