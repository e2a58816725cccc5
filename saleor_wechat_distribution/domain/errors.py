"""Error codes shared by services and the GraphQL layer.

The enums live here (not in ``graphql/``) so that services raise the same codes that the API shows.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class DistributorErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    ALREADY_APPLIED = "already_applied"
    INVITER_NOT_FOUND = "inviter_not_found"
    INVITER_INACTIVE = "inviter_inactive"
    SELF_INVITE = "self_invite"
    INVALID_KIND = "invalid_kind"
    INVALID_STATUS = "invalid_status"
    KIND_NOT_ALLOWED_UNDER_PARENT = "kind_not_allowed_under_parent"
    MOVE_INTO_OWN_SUBTREE = "move_into_own_subtree"
    INVALID_MOVE_TARGET = "invalid_move_target"
    TREE_TOO_DEEP = "tree_too_deep"
    NOT_A_CUSTOMER = "not_a_customer"


class DistributionError(Exception):
    """A business rule refused an operation; nothing was changed.

    ``message`` is a translatable, user-facing string (lazy under Django); ``field`` names the input.
    """

    def __init__(self, code: Enum, message: str, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
