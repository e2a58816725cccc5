"""Errors that end a whole field (top-level GraphQL errors with ``extensions.exception.code``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class QueryError(Exception):
    """A coded error for a query field (mutations report theirs in their ``errors`` list)."""

    code = "GraphQLError"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        if code:
            self.code = code
        self.field = field


class PermissionDenied(QueryError):
    code = "PermissionDenied"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You do not have permission to perform this action."))
