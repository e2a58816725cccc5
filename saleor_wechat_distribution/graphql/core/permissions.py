"""Declared permissions for resolvers (as Saleor's ``@permission_required``), never hand-checked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.utils.translation import gettext_lazy as _

from ...domain.permissions import Permission
from ...ports import Principal
from .errors import PermissionDenied


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
