"""Service-level rules of the distributor tree: applications, status changes, moves, counters, audit."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.domain.errors import DistributorErrorCode as Code
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Distributor, DistributorEvent
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.selectors.distributors import (
    distributor_ancestors,
    distributor_team,
    distributor_team_level_counts,
)
from saleor_wechat_distribution.services.distributors import (
    distributor_apply,
    distributor_approve,
    distributor_move,
    distributor_reactivate,
    distributor_reject,
    distributor_suspend,
)
from saleor_wechat_distribution.testing.factories import customer, make_chain, make_distributor, staff

pytestmark = pytest.mark.django_db
ADMIN = staff(Permission.MANAGE_USERS)


def snapshot() -> list[tuple]:
    """Everything a refused operation must leave untouched."""
    rows = Distributor.objects.order_by("pk").values_list(
        "pk", "path", "depth", "numchild", "status", "kind", "team_size", "display_name", "inviter_id"
    )
    return [*rows, ("events", DistributorEvent.objects.count())]


def assert_refused(code: Code, call, *args, **kwargs) -> DistributionError:
    before = snapshot()
    with pytest.raises(DistributionError) as info:
        call(*args, **kwargs)
    assert info.value.code == code
    assert snapshot() == before
    return info.value


def real_team_size(node: Distributor) -> int:
    return (
        Distributor.objects.filter(path__startswith=node.path, depth__gt=node.depth)
        .filter(status__in=["active", "suspended"])
        .count()
    )


def assert_counters_consistent() -> None:
    for node in Distributor.objects.all():
        assert node.team_size == real_team_size(node), node
    assert Distributor.objects.find_problems() == ([], [], [], [], [])


def test_apply_creates_pending_node_with_unique_code_and_audit():
    principal = customer()
    node = distributor_apply(principal=principal, display_name="  Wang   Fang ", kind="individual")
    assert node.status == DistributorStatus.PENDING
    assert node.display_name == "Wang Fang"
    assert node.depth == 1 and node.team_size == 0
    assert len(node.referral_code) == 10 and node.referral_code.isalnum()
    assert list(node.events.values_list("type", "actor")) == [("applied", f"user:{principal.user_id}")]


def test_invited_application_lands_under_inviter_and_counts_after_approval():
    root = make_distributor(kind=DistributorKind.ENTERPRISE)
    child = distributor_apply(
        principal=customer(), display_name="Li", inviter_code=root.referral_code.lower()
    )
    assert child.path.startswith(root.path) and child.depth == 2
    assert child.inviter_id == root.pk
    root.refresh_from_db()
    assert root.team_size == 0  # pending applicants are not members yet
    distributor_approve(actor=ADMIN, distributor_id=child.pk)
    root.refresh_from_db()
    assert root.team_size == 1
    assert_counters_consistent()


def test_auto_approve_setting(auto_approve):
    root = make_distributor()
    child = distributor_apply(principal=customer(), display_name="Auto", inviter_code=root.referral_code)
    assert child.status == DistributorStatus.ACTIVE and child.approved_at is not None
    assert [e.type for e in child.events.all()] == ["applied", "auto_approved"]
    root.refresh_from_db()
    assert root.team_size == 1


def test_team_counts_deep_chain_and_suspension_keeps_membership():
    chain = make_chain(5)
    for i, node in enumerate(chain):
        node.refresh_from_db()
        assert node.team_size == len(chain) - i - 1
    distributor_suspend(actor=ADMIN, distributor_id=chain[2].pk, reason="late payments")
    chain[0].refresh_from_db()
    assert chain[0].team_size == 4
    distributor_reactivate(actor=ADMIN, distributor_id=chain[2].pk)
    assert_counters_consistent()


def test_ancestors_are_root_first_in_one_query(django_assert_num_queries):
    chain = make_chain(6)
    leaf = chain[-1]
    with django_assert_num_queries(1):
        ancestors = distributor_ancestors(distributor=leaf)
    assert [a.pk for a in ancestors] == [n.pk for n in chain[:-1]]


def test_team_level_listing_and_counts():
    root = make_distributor(kind=DistributorKind.ENTERPRISE)
    a = make_distributor(root)
    b = make_distributor(root)
    make_distributor(a)
    make_distributor(a, status=DistributorStatus.SUSPENDED)
    make_distributor(b, status=DistributorStatus.PENDING)
    make_distributor(b, status=DistributorStatus.REJECTED)
    assert [d.pk for d in distributor_team(distributor=root, level=1)] == [a.pk, b.pk]
    assert distributor_team(distributor=root, level=2).count() == 2
    assert distributor_team_level_counts(distributor=root) == {1: 2, 2: 2}


@pytest.mark.parametrize(
    ("action", "start", "expected"),
    [
        (distributor_approve, DistributorStatus.PENDING, DistributorStatus.ACTIVE),
        (distributor_reject, DistributorStatus.PENDING, DistributorStatus.REJECTED),
        (distributor_suspend, DistributorStatus.ACTIVE, DistributorStatus.SUSPENDED),
        (distributor_reactivate, DistributorStatus.SUSPENDED, DistributorStatus.ACTIVE),
    ],
)
def test_status_transitions_and_their_refusals(action, start, expected):
    node = make_distributor(status=start)
    result = action(actor=ADMIN, distributor_id=node.pk)
    assert result.status == expected
    assert result.events.last().actor == ADMIN.actor_label
    assert_refused(Code.INVALID_STATUS, action, actor=ADMIN, distributor_id=node.pk)


def test_status_change_of_unknown_distributor():
    assert_refused(Code.NOT_FOUND, distributor_approve, actor=ADMIN, distributor_id=987654321)


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"display_name": ""}, Code.REQUIRED, "displayName"),
        ({"display_name": "   "}, Code.REQUIRED, "displayName"),
        ({"display_name": "x" * 65}, Code.TOO_LONG, "displayName"),
        ({"kind": "brand"}, Code.INVALID_KIND, "kind"),
        ({"inviter_code": "NOSUCHCODE"}, Code.INVITER_NOT_FOUND, "inviterCode"),
    ],
)
def test_apply_bad_input(kwargs, code, field):
    make_distributor()
    error = assert_refused(code, distributor_apply, principal=customer(), **{"display_name": "Ok", **kwargs})
    assert error.field == field


@pytest.mark.parametrize(
    "status", [DistributorStatus.PENDING, DistributorStatus.SUSPENDED, DistributorStatus.REJECTED]
)
def test_apply_under_inactive_inviter_is_refused(status):
    inviter = make_distributor(status=status)
    assert_refused(
        Code.INVITER_INACTIVE,
        distributor_apply,
        principal=customer(),
        display_name="x",
        inviter_code=inviter.referral_code,
    )


def test_apply_twice_and_anonymous():
    principal = customer()
    make_distributor(principal=principal, status=DistributorStatus.PENDING)
    assert_refused(Code.ALREADY_APPLIED, distributor_apply, principal=principal, display_name="again")
    assert_refused(Code.NOT_A_CUSTOMER, distributor_apply, principal=Principal.anonymous(), display_name="x")


def test_enterprise_cannot_join_under_individual():
    individual = make_distributor(kind=DistributorKind.INDIVIDUAL)
    assert_refused(
        Code.KIND_NOT_ALLOWED_UNDER_PARENT,
        distributor_apply,
        principal=customer(),
        display_name="Co",
        kind=DistributorKind.ENTERPRISE,
        inviter_code=individual.referral_code,
    )


def test_rejected_applicant_may_reapply_under_new_inviter_but_not_with_own_code():
    principal = customer()
    first_inviter = make_distributor()
    node = make_distributor(first_inviter, principal=principal, status=DistributorStatus.REJECTED)
    assert_refused(
        Code.SELF_INVITE,
        distributor_apply,
        principal=principal,
        display_name="me",
        inviter_code=node.referral_code,
    )
    second_inviter = make_distributor()
    again = distributor_apply(
        principal=principal, display_name="Again", inviter_code=second_inviter.referral_code
    )
    assert again.pk == node.pk and again.status == DistributorStatus.PENDING
    assert again.path.startswith(second_inviter.path)
    assert [e.type for e in again.events.all()] == ["applied", "rejected", "reapplied"]
    assert_counters_consistent()


def test_move_subtree_updates_paths_counters_and_audit():
    a_root = make_distributor(kind=DistributorKind.ENTERPRISE)
    b_root = make_distributor(kind=DistributorKind.ENTERPRISE)
    mid = make_distributor(a_root)
    leaf = make_distributor(mid)
    make_distributor(leaf, status=DistributorStatus.PENDING)
    moved = distributor_move(actor=ADMIN, distributor_id=mid.pk, new_parent_id=b_root.pk)
    assert moved.path.startswith(b_root.path) and moved.depth == 2
    leaf.refresh_from_db()
    assert leaf.path.startswith(moved.path) and leaf.depth == 3
    a_root.refresh_from_db()
    b_root.refresh_from_db()
    assert (a_root.team_size, b_root.team_size) == (0, 2)
    event = moved.events.last()
    assert (event.type, event.data) == ("moved", {"from_parent_id": a_root.pk, "to_parent_id": b_root.pk})
    # and up to the brand
    distributor_move(actor=ADMIN, distributor_id=mid.pk, new_parent_id=None)
    mid.refresh_from_db()
    assert mid.depth == 1
    assert_counters_consistent()


def test_move_refusals_change_nothing():
    root = make_distributor(kind=DistributorKind.ENTERPRISE)
    child = make_distributor(root)
    grandchild = make_distributor(child)
    pending = make_distributor(status=DistributorStatus.PENDING)
    individual_root = make_distributor(kind=DistributorKind.INDIVIDUAL)
    refuse = {"actor": ADMIN}
    assert_refused(
        Code.MOVE_INTO_OWN_SUBTREE, distributor_move, distributor_id=root.pk, new_parent_id=root.pk, **refuse
    )
    assert_refused(
        Code.MOVE_INTO_OWN_SUBTREE,
        distributor_move,
        distributor_id=root.pk,
        new_parent_id=grandchild.pk,
        **refuse,
    )
    assert_refused(
        Code.INVALID_MOVE_TARGET,
        distributor_move,
        distributor_id=child.pk,
        new_parent_id=pending.pk,
        **refuse,
    )
    assert_refused(
        Code.KIND_NOT_ALLOWED_UNDER_PARENT,
        distributor_move,
        distributor_id=root.pk,
        new_parent_id=individual_root.pk,
        **refuse,
    )
    assert_refused(Code.NOT_FOUND, distributor_move, distributor_id=child.pk, new_parent_id=10**12, **refuse)


def test_move_to_current_parent_is_a_no_op():
    root = make_distributor(kind=DistributorKind.ENTERPRISE)
    child = make_distributor(root)
    before = snapshot()
    distributor_move(actor=ADMIN, distributor_id=child.pk, new_parent_id=root.pk)
    assert snapshot() == before
