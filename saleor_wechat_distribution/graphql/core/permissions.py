"""Declared permissions for resolvers (as Saleor's ``@permission_required``), never hand-checked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.utils.translation import gettext_lazy as _

from ...domain.permissions import Permission
from ...ports import Principal
from .errors import PermissionDenied, QueryError
from .ids import InvalidGlobalId, decode_global_id


def check_access(
    principal: Principal, *, permissions: tuple[Permission, ...] = (), login: bool = False
) -> None:
    if (login or permissions) and not principal.is_authenticated:
        raise PermissionDenied(_("You need to sign in to perform this action."))
    if permissions and not principal.has_perms(*permissions):
        raise PermissionDenied(
            _("You need one of the following permissions: %(perms)s")
            % {"perms": ", ".join(p.value for p in permissions)}
        )


def login_required(resolver: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(resolver)
    def wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
        check_access(info.context.principal, login=True)
        return resolver(root, info, **kwargs)

    return wrapper


def permission_required(*permissions: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(resolver: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(resolver)
        def wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
            check_access(info.context.principal, permissions=permissions)
            return resolver(root, info, **kwargs)

        return wrapper

    return decorator


def distributor_required(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in, with a distributor profile (of any status): the resolver then reads
    ``info.context.viewer_distributor``, the caller's own profile, and only its own data."""

    @wraps(resolver)
    def wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
        check_access(info.context.principal, login=True)
        if info.context.viewer_distributor is None:
            raise QueryError(_("You are not a distributor."), code="NOT_FOUND")
        return resolver(root, info, **kwargs)

    return wrapper


def permission_required_or_self(
    *permissions: Permission, id_argument: str = "id", type_name: str = "Distributor"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Staff with ``permissions``, or the signed-in distributor whose own global id is the
    ``id_argument``; anyone else is refused as by :func:`permission_required`."""

    def decorator(resolver: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(resolver)
        def wrapper(root: Any, info: Any, **kwargs: Any) -> Any:
            principal = info.context.principal
            if not principal.has_perms(*permissions) and not _is_self(
                info, kwargs.get(id_argument), type_name
            ):
                check_access(principal, permissions=permissions)
            return resolver(root, info, **kwargs)

        return wrapper

    return decorator


def _is_self(info: Any, global_id: Any, type_name: str) -> bool:
    if not info.context.principal.is_authenticated or not isinstance(global_id, str):
        return False
    viewer = info.context.viewer_distributor
    try:
        return viewer is not None and decode_global_id(global_id, expected_type=type_name) == viewer.pk
    except InvalidGlobalId:
        return False
