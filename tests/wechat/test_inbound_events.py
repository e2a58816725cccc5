"""``services.inbound_events``: the one way an inbound event (WeChat callback, WeChat Pay notification,
code use reported from WeChat) is logged raw and applied once.

The effect in these tests is a real write (a ``ComponentTicket`` row per application), so "applied once"
and "nothing half-written" are counted in the database, not in a mock.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from saleor_wechat_distribution.domain.inbound_events import InboundSource
from saleor_wechat_distribution.models import ComponentTicket, InboundEvent
from saleor_wechat_distribution.services.inbound_events import (
    KEY_MAX_LENGTH,
    inbound_event_apply_once,
    inbound_event_key,
)
from saleor_wechat_distribution.testing.concurrency import run_concurrently

SOURCE = InboundSource.PAYOUT
BODY = b'{"id": "N-1", "resource": {"ciphertext": "\xe2\x9c\x93"}}'


class Boom(Exception):
    pass


def _effect(tag: str = "") -> str:
    """One application of the event: one row, named so the test can count them."""
    name = f"{tag}{uuid.uuid4().hex[:12]}"
    ComponentTicket.objects.create(component_app_id=name, ticket="t", received_at=timezone.now())
    return name


def _failing_effect() -> str:
    _effect()  # written, then the failure must take it back
    raise Boom("the host was down")


def _deliver(key: str = "wechatpay:N-1", **kwargs):
    kwargs.setdefault("apply", _effect)
    return inbound_event_apply_once(
        source=SOURCE, key=key, body=BODY, headers={"Wechatpay-Serial": "S1"}, **kwargs
    )


def test_the_first_delivery_is_logged_raw_and_applied(db):
    applied = _deliver()
    assert not applied.duplicate and applied.kept
    assert ComponentTicket.objects.filter(component_app_id=applied.result).exists()
    event = InboundEvent.objects.get()
    assert (event.source, event.dedupe_key, event.verified) == ("wechatpay.transfer", "wechatpay:N-1", True)
    assert event.body == BODY.decode() and event.headers == {"Wechatpay-Serial": "S1"}
    assert event.processed_at is not None and event.error == ""


def test_a_duplicate_is_acknowledged_without_applying_again(db):
    _deliver()
    calls = []
    again = _deliver(apply=lambda: calls.append(1))
    assert again.duplicate and again.result is None and calls == []
    assert ComponentTicket.objects.count() == 1 and InboundEvent.objects.count() == 1
    other = _deliver(key="wechatpay:N-2")
    assert not other.duplicate and ComponentTicket.objects.count() == 2


def test_a_failure_leaves_nothing_half_written_and_the_retry_applies(db):
    with pytest.raises(Boom):
        _deliver(apply=_failing_effect)
    assert not ComponentTicket.objects.exists()
    failed = InboundEvent.objects.get()
    assert failed.processed_at is None and failed.error == "Boom: the host was down"
    with pytest.raises(Boom):  # failing again: still one row, the error kept up to date
        _deliver(apply=_failing_effect)
    assert InboundEvent.objects.count() == 1 and not ComponentTicket.objects.exists()

    retried = _deliver()
    assert not retried.duplicate and retried.kept
    assert list(ComponentTicket.objects.values_list("component_app_id", flat=True)) == [retried.result]
    done = InboundEvent.objects.get()
    assert done.pk == failed.pk and done.processed_at is not None and done.error == ""
    assert _deliver().duplicate and ComponentTicket.objects.count() == 1


def test_an_effect_that_changed_nothing_keeps_nothing(db):
    skipped = _deliver(apply=lambda: (False, _effect()), keep=lambda outcome: outcome[0])
    assert not skipped.duplicate and not skipped.kept and skipped.result is not None
    assert not InboundEvent.objects.exists() and not ComponentTicket.objects.exists()
    kept = _deliver(apply=lambda: (True, _effect()), keep=lambda outcome: outcome[0])
    assert kept.kept and InboundEvent.objects.count() == 1 and ComponentTicket.objects.count() == 1


def test_a_failed_event_whose_retry_changes_nothing_is_done(db):
    with pytest.raises(Boom):
        _deliver(apply=_failing_effect)
    retried = _deliver(apply=lambda: (False, _effect()), keep=lambda outcome: outcome[0])
    assert not retried.duplicate and not retried.kept
    assert not ComponentTicket.objects.exists()  # the effect's writes rolled back
    event = InboundEvent.objects.get()
    assert event.processed_at is not None and event.error == ""
    assert _deliver().duplicate


def test_long_keys_stay_distinct_and_fit(db):
    long_a, long_b = "k" * 300 + "a", "k" * 300 + "b"
    assert len(inbound_event_key(long_a)) == KEY_MAX_LENGTH
    assert inbound_event_key(long_a) != inbound_event_key(long_b)
    assert inbound_event_key("short") == "short"
    assert not _deliver(key=long_a).duplicate
    assert not _deliver(key=long_b).duplicate
    assert _deliver(key=long_a).duplicate
    assert ComponentTicket.objects.count() == 2


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)


@postgresql_only
def test_concurrent_duplicates_apply_once(transactional_db):
    def slow_effect() -> str:
        time.sleep(0.2)  # the others arrive while the first is still applying
        return _effect()

    results = run_concurrently([lambda: _deliver(apply=slow_effect) for _ in range(6)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.duplicate for r in results) == [False] + [True] * 5
    assert ComponentTicket.objects.count() == 1
    event = InboundEvent.objects.get()
    assert event.processed_at is not None and event.error == ""


@postgresql_only
def test_a_concurrent_delivery_applies_what_a_failing_one_rolled_back(transactional_db):
    """The first application fails (after writing): a delivery waiting on it applies, the rest are
    duplicates, and the effect is there exactly once with no error left on the log."""
    attempts = itertools.count()
    lock = threading.Lock()

    def first_fails() -> str:
        with lock:
            attempt = next(attempts)
        time.sleep(0.2)
        name = _effect(f"a{attempt}-")
        if attempt == 0:
            raise Boom("first attempt")
        return name

    results = run_concurrently([lambda: _deliver(apply=first_fails) for _ in range(5)])
    failures = [r for r in results if isinstance(r, Exception)]
    applied = [r for r in results if not isinstance(r, Exception) and not r.duplicate]
    assert len(failures) == 1 and isinstance(failures[0], Boom)
    assert len(applied) == 1 and applied[0].result.startswith("a1-")
    assert sum(1 for r in results if not isinstance(r, Exception) and r.duplicate) == 3
    assert list(ComponentTicket.objects.values_list("component_app_id", flat=True)) == [applied[0].result]
    event = InboundEvent.objects.get()
    assert event.processed_at is not None and event.error == ""
