"""Apply, approve, reject, suspend, reactivate and move distributors.

Every function runs in one transaction: either the whole change (row, counters, audit entry) is
written, or a ``DistributionError`` is raised and nothing is.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import locks
from ..db.distributors import distributors_of_user_or_code
from ..db.tree import (
    adjust_team_size,
    ancestor_paths,
    count_new_child,
    lock_chain,
    next_child_path,
)
from ..db.upserts import insert_unless_exists
from ..domain.distributors import (
    DISPLAY_NAME_MAX_LENGTH,
    TRANSITIONS,
    DistributorKind,
    DistributorStatus,
    is_member,
    kind_allowed_under,
    new_referral_code,
    normalize_referral_code,
)
from ..domain.errors import DistributionError
from ..domain.errors import DistributorErrorCode as Code
from ..models import Distributor, DistributorEvent
from ..ports import Principal
from ..selectors.programs import distributor_auto_approve
from .distributor_events import distributor_event_record, distributor_events_record

#: treebeard paths are 255 characters of 4-character steps
MAX_TREE_DEPTH = 63
_CODE_ATTEMPTS = 5


def _clean_display_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if "\x00" in name or not name.isprintable():
        raise DistributionError(
            Code.INVALID, _("The display name contains characters that cannot be shown."), field="displayName"
        )
    if not name:
        raise DistributionError(Code.REQUIRED, _("Enter a display name."), field="displayName")
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise DistributionError(
            Code.TOO_LONG,
            _("The display name can be at most %(max)d characters long.") % {"max": DISPLAY_NAME_MAX_LENGTH},
            field="displayName",
        )
    return name


def _clean_kind(raw: str | DistributorKind) -> DistributorKind:
    try:
        return DistributorKind(raw)
    except ValueError:
        raise DistributionError(Code.INVALID_KIND, _("Unknown distributor kind."), field="kind") from None


def _get_for_update(distributor_id: int, *, field: str = "id") -> Distributor:
    try:
        return Distributor.objects.select_for_update().get(pk=distributor_id)
    except Distributor.DoesNotExist:
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field=field) from None


def _applicant_and_inviter(
    *, user_id: int, inviter_code: str | None
) -> tuple[Distributor | None, Distributor | None]:
    """In one query: the applicant's own row (if any) and the row of the inviter's code (if given)."""
    code = normalize_referral_code(inviter_code or "")
    rows = distributors_of_user_or_code(user_id=user_id, code=code)
    existing = inviter = None
    for row in rows:
        if row.user_id == user_id:
            existing = row
        if code and row.referral_code == code:
            inviter = row
    return existing, inviter


def _check_inviter(inviter: Distributor | None, *, applicant_user_id: int) -> Distributor:
    if inviter is None:
        raise DistributionError(
            Code.INVITER_NOT_FOUND, _("No distributor has this invitation code."), field="inviterCode"
        )
    if inviter.user_id == applicant_user_id:
        raise DistributionError(
            Code.SELF_INVITE, _("You cannot use your own invitation code."), field="inviterCode"
        )
    if inviter.status != DistributorStatus.ACTIVE:
        raise DistributionError(
            Code.INVITER_INACTIVE, _("This invitation code is not active."), field="inviterCode"
        )
    return inviter


def distributor_apply(
    *,
    principal: Principal,
    display_name: str,
    kind: str | DistributorKind = DistributorKind.INDIVIDUAL,
    inviter_code: str | None = None,
    channel: str | None = None,
) -> Distributor:
    """A customer applies to become a distributor, optionally invited by another one (fission).

    A rejected applicant may apply again: the same row goes back to pending under the new inviter.
    """
    if not principal.is_authenticated or principal.user_id is None:
        raise DistributionError(Code.NOT_A_CUSTOMER, _("Sign in to apply."))
    name = _clean_display_name(display_name)
    kind = _clean_kind(kind)
    auto_approve = distributor_auto_approve(channel=channel)

    with transaction.atomic():
        locks.tree_write_shared()
        # no row lock on the applicant's row here: a new applicant has none (two concurrent first
        # applications are told apart by the unique user id at insert), a rejected one is locked below
        existing, inviter = _applicant_and_inviter(user_id=principal.user_id, inviter_code=inviter_code)
        if existing is not None and existing.status != DistributorStatus.REJECTED:
            raise DistributionError(Code.ALREADY_APPLIED, _("You have already applied."))
        inviter = _check_inviter(inviter, applicant_user_id=principal.user_id) if inviter_code else None
        if inviter is not None and not kind_allowed_under(kind, inviter.kind):
            raise DistributionError(
                Code.KIND_NOT_ALLOWED_UNDER_PARENT,
                _("An enterprise distributor cannot join under an individual distributor."),
                field="kind",
            )
        if inviter is not None and inviter.depth >= MAX_TREE_DEPTH:
            raise DistributionError(
                Code.TREE_TOO_DEEP, _("The network is too deep here."), field="inviterCode"
            )
        if existing is not None:
            existing = Distributor.objects.select_for_update().get(pk=existing.pk)
            if existing.status != DistributorStatus.REJECTED:  # changed since we read it
                raise DistributionError(Code.ALREADY_APPLIED, _("You have already applied."))
            return _reapply(
                existing,
                principal=principal,
                name=name,
                kind=kind,
                inviter=inviter,
                auto_approve=auto_approve,
            )
        return _insert(principal=principal, name=name, kind=kind, inviter=inviter, auto_approve=auto_approve)


def _lock_inviter(inviter: Distributor | None, *, with_chain: bool) -> tuple[Distributor | None, list[str]]:
    """Lock the inviter (and, when counters change, its whole chain root first) and re-check it.

    Returns the locked inviter and the paths whose team sizes an approval below it would change.
    """
    if inviter is None:
        locks.named_exclusive("distributor-roots")  # treebeard numbers roots from the last one
        return None, []
    chain = [*ancestor_paths(inviter.path), inviter.path]
    inviter = lock_chain(chain if with_chain else [inviter.path])[inviter.path]
    if inviter.status != DistributorStatus.ACTIVE:  # changed while we waited for the lock
        raise DistributionError(
            Code.INVITER_INACTIVE, _("This invitation code is not active."), field="inviterCode"
        )
    return inviter, chain


def _insert(
    *, principal: Principal, name: str, kind: DistributorKind, inviter: Distributor | None, auto_approve: bool
) -> Distributor:
    """Insert the new node as the inviter's last child (or under the brand). Numbering, counters and the
    audit entries take one statement each; the inviter's row (and, when the node counts at once, its
    whole chain) is locked first, root first."""
    inviter, chain = _lock_inviter(inviter, with_chain=auto_approve)
    path = next_child_path(inviter)
    for attempt in range(_CODE_ATTEMPTS):
        node = Distributor(
            path=path,
            depth=inviter.depth + 1 if inviter else 1,
            numchild=0,
            user_id=principal.user_id,
            email=principal.email or "",
            kind=kind.value,
            status=(DistributorStatus.ACTIVE if auto_approve else DistributorStatus.PENDING).value,
            display_name=name,
            referral_code=new_referral_code(),
            inviter=inviter,
            approved_at=timezone.now() if auto_approve else None,
        )
        if insert_unless_exists(node, conflict_fields=()):
            break
        if Distributor.objects.filter(user_id=principal.user_id).exists():
            raise DistributionError(Code.ALREADY_APPLIED, _("You have already applied."))
        if attempt == _CODE_ATTEMPTS - 1:  # the referral code collided five times: not plausible
            raise RuntimeError("could not find a free referral code")
    if inviter is not None:
        count_new_child(inviter.path, chain if auto_approve else [inviter.path], members=int(auto_approve))
    types = [DistributorEvent.Type.APPLIED] + ([DistributorEvent.Type.AUTO_APPROVED] if auto_approve else [])
    data = {"inviter_id": inviter.pk if inviter else None, "kind": kind.value}
    distributor_events_record(distributor=node, types=types, actor=principal, data=data)
    return node


def _reapply(
    node: Distributor,
    *,
    principal: Principal,
    name: str,
    kind: DistributorKind,
    inviter: Distributor | None,
    auto_approve: bool,
) -> Distributor:
    """A rejected node goes back to pending (or active) under its new inviter.

    Rejected nodes are leaves (only active codes invite, and staff move only under approved members),
    and not members, so moving one changes no counter.
    """
    inviter, chain = _lock_inviter(inviter, with_chain=auto_approve)
    if (inviter.path if inviter else "") != node.parent_path:
        if inviter is not None:
            Distributor.objects.move(node, inviter, "last-child")
        else:
            Distributor.objects.move(node, Distributor.objects.get_last_root_node(), "last-sibling")
        node.refresh_from_db()
    node.display_name = name
    node.kind = kind.value
    node.inviter = inviter
    node.status = (DistributorStatus.ACTIVE if auto_approve else DistributorStatus.PENDING).value
    node.approved_at = timezone.now() if auto_approve else None
    node.save(update_fields=["display_name", "kind", "inviter", "status", "approved_at", "updated_at"])
    data = {"inviter_id": inviter.pk if inviter else None, "kind": kind.value}
    distributor_event_record(
        distributor=node, type=DistributorEvent.Type.REAPPLIED, actor=principal, data=data
    )
    if auto_approve:
        adjust_team_size(chain, +1)
        distributor_event_record(distributor=node, type=DistributorEvent.Type.AUTO_APPROVED, actor=principal)
    return node


def _transition(
    action: str, *, actor: Principal, distributor_id: int, event_type: str, reason: str = ""
) -> Distributor:
    allowed_from, target = TRANSITIONS[action]
    with transaction.atomic():
        locks.tree_write_shared()
        # read the path unlocked (paths change only under the exclusive tree lock), then lock the
        # chain root first so counter updates cannot deadlock with inserts below this node
        node = Distributor.objects.filter(pk=distributor_id).only("path").first()
        if node is None:
            raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="id")
        chain = ancestor_paths(node.path) if action == "approve" else []  # only approval adds a member
        locked = lock_chain([*chain, node.path])
        node = locked[node.path]
        if DistributorStatus(node.status) not in allowed_from:
            raise DistributionError(
                Code.INVALID_STATUS,
                _("This distributor is %(status)s; the action is not possible now.")
                % {"status": node.status},
                field="id",
            )
        was_member = is_member(node.status)
        node.status = target.value
        fields = ["status", "updated_at"]
        if action == "approve":
            node.approved_at = timezone.now()
            fields.append("approved_at")
        node.save(update_fields=fields)
        if is_member(target) != was_member:
            adjust_team_size(chain, +1 if is_member(target) else -1)
        distributor_event_record(
            distributor=node, type=event_type, actor=actor, data={"reason": reason} if reason else {}
        )
        return node


def distributor_approve(*, actor: Principal, distributor_id: int) -> Distributor:
    return _transition(
        "approve", actor=actor, distributor_id=distributor_id, event_type=DistributorEvent.Type.APPROVED
    )


def distributor_reject(*, actor: Principal, distributor_id: int, reason: str = "") -> Distributor:
    return _transition(
        "reject",
        actor=actor,
        distributor_id=distributor_id,
        event_type=DistributorEvent.Type.REJECTED,
        reason=reason,
    )


def distributor_suspend(*, actor: Principal, distributor_id: int, reason: str = "") -> Distributor:
    return _transition(
        "suspend",
        actor=actor,
        distributor_id=distributor_id,
        event_type=DistributorEvent.Type.SUSPENDED,
        reason=reason,
    )


def distributor_reactivate(*, actor: Principal, distributor_id: int) -> Distributor:
    return _transition(
        "reactivate", actor=actor, distributor_id=distributor_id, event_type=DistributorEvent.Type.REACTIVATED
    )


def distributor_move(*, actor: Principal, distributor_id: int, new_parent_id: int | None) -> Distributor:
    """Move a distributor and its whole subtree under another parent (None = directly under the brand).

    Staff only. Runs under the exclusive tree lock: no insert or counter update interleaves, so the
    path rewrite and the counters of both chains change atomically. Moving under itself or one of its
    own descendants is refused.
    """
    with transaction.atomic():
        locks.tree_write_exclusive()
        node = _get_for_update(distributor_id)
        target = _get_for_update(new_parent_id, field="newParentId") if new_parent_id is not None else None
        if target is not None and (target.pk == node.pk or target.path.startswith(node.path)):
            raise DistributionError(
                Code.MOVE_INTO_OWN_SUBTREE,
                _("A distributor cannot be moved under itself or its own team."),
                field="newParentId",
            )
        if target is not None and not is_member(target.status):
            raise DistributionError(
                Code.INVALID_MOVE_TARGET,
                _("The new parent must be an approved distributor."),
                field="newParentId",
            )
        if target is not None and not kind_allowed_under(node.kind, target.kind):
            raise DistributionError(
                Code.KIND_NOT_ALLOWED_UNDER_PARENT,
                _("An enterprise distributor cannot be placed under an individual distributor."),
                field="newParentId",
            )
        if (target.path if target else "") == node.parent_path:
            return node  # already there: nothing to change, nothing to audit
        deepest = Distributor.objects.filter(path__startswith=node.path).aggregate(d=Max("depth"))["d"]
        new_depth = (target.depth if target else 0) + 1
        if deepest - node.depth + new_depth > MAX_TREE_DEPTH:
            raise DistributionError(
                Code.TREE_TOO_DEEP, _("The network would become too deep."), field="newParentId"
            )
        moved_members = node.team_size + (1 if is_member(node.status) else 0)
        old_parent_id = Distributor.objects.filter(path=node.parent_path).values_list("pk", flat=True).first()
        adjust_team_size(ancestor_paths(node.path), -moved_members)
        if target is not None:
            Distributor.objects.move(node, target, "last-child")
        else:
            Distributor.objects.move(node, Distributor.objects.get_last_root_node(), "last-sibling")
        node.refresh_from_db()
        adjust_team_size(ancestor_paths(node.path), +moved_members)
        distributor_event_record(
            distributor=node,
            type=DistributorEvent.Type.MOVED,
            actor=actor,
            data={"from_parent_id": old_parent_id, "to_parent_id": target.pk if target else None},
        )
        return node
