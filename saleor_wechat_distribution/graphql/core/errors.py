"""Errors that end a whole field (top-level GraphQL errors with ``extensions.exception.code``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError


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


def query_error(error: DistributionError) -> QueryError:
    """A service's refusal as the error of a query field (code: the enum member's name)."""
    return QueryError(gettext(str(error.message)), code=error.code.name, field=error.field)


def domain_errors_as_query_errors(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """For query resolvers calling services: a ``DistributionError`` ends the field with its code."""

    @wraps(resolver)
    def wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
        try:
            return resolver(root, info, **kwargs)
        except DistributionError as error:
            raise query_error(error) from None

    return wrapper
