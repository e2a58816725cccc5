"""Retention of the inbound event log (``services/inbound_event_retention.py``): processed events older
than the window deleted in bounded batches, events still to apply kept (and the old ones reported),
voucher code uses kept; the window setting and its floor; the task (eager Celery) and the beat schedules
of the sandbox / plugin and of App mode."""

from __future__ import annotations

import importlib
import logging
import re
import sys
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_wechat_distribution import task_names
from saleor_wechat_distribution.domain.inbound_events import InboundSource
from saleor_wechat_distribution.models import InboundEvent
from saleor_wechat_distribution.services.inbound_event_retention import (
    DEFAULT_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    inbound_event_retention_days,
    inbound_events_prune,
    retention_days_of,
)
from saleor_wechat_distribution.tasks import inbound_events_prune_task

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def event(key: str, *, age_days: float, processed: bool = True, error: str = "", source: str = "wechat.mp"):
    row = InboundEvent.objects.create(
        source=source, dedupe_key=key, body=f"<xml>{key}</xml>", verified=True, error=error,
        processed_at=NOW if processed else None,
    )  # fmt: skip
    InboundEvent.objects.filter(pk=row.pk).update(received_at=NOW - timedelta(days=age_days))
    return row


def keys() -> set[str]:
    return set(InboundEvent.objects.values_list("dedupe_key", flat=True))


# --- the window ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "days", "problem"),
    [
        (None, DEFAULT_RETENTION_DAYS, ""),
        ("", DEFAULT_RETENTION_DAYS, ""),
        (30, 30, ""),
        ("365", 365, ""),  # App mode: from the environment
        (MIN_RETENTION_DAYS, MIN_RETENTION_DAYS, ""),
        (3, MIN_RETENTION_DAYS, "shorter than a sender may redeliver"),
        (-1, MIN_RETENTION_DAYS, "shorter than a sender may redeliver"),
        ("ninety", DEFAULT_RETENTION_DAYS, "not a number of days"),
        ("1.5", DEFAULT_RETENTION_DAYS, "not a number of days"),
    ],
)
def test_the_window_setting_has_a_default_and_a_floor(configured, days, problem):
    found, said = retention_days_of(configured)
    assert found == days
    assert (problem in said) if problem else said == ""


def test_a_window_below_the_floor_is_raised_logged_and_reported_by_the_checks(settings, caplog):
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 2
    with caplog.at_level(logging.WARNING, logger="saleor_wechat_distribution"):
        assert inbound_event_retention_days() == MIN_RETENTION_DAYS
    assert "WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS=2" in caplog.text
    warnings = [m for m in run_checks() if m.id == "wechat_distribution.W002"]
    assert len(warnings) == 1 and "14 used" in warnings[0].msg
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 30
    assert [m for m in run_checks() if m.id == "wechat_distribution.W002"] == []


def test_the_floor_holds_even_when_asked_for_less(settings):
    """A window of 1 day would delete an event Saleor may still redeliver: 14 days are kept."""
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 1
    event("13-days", age_days=13)
    event("15-days", age_days=15)
    assert inbound_events_prune(now=NOW).deleted == 1
    assert keys() == {"13-days"}


# --- what is deleted, what is kept ----------------------------------------------------------------------


def test_processed_events_older_than_the_window_are_deleted_the_rest_kept(settings, caplog):
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 30
    for i in range(3):
        event(f"old-{i}", age_days=31 + i)
    event("young", age_days=29)
    event("failed-old", age_days=200, processed=False, error="SaleorUnavailable: 502")
    event("never-ran-old", age_days=40, processed=False, source="saleor:ORDER_PAID")
    event("failed-young", age_days=1, processed=False, error="OperationalError: gone")
    event(f"{InboundSource.VOUCHER_CODE_USE}:WDCARD-1", age_days=400, source=InboundSource.VOUCHER_CODE_USE)
    with caplog.at_level(logging.INFO, logger="saleor_wechat_distribution"):
        result = inbound_events_prune(now=NOW)
    assert result.deleted == 3 and not result.more
    assert result.cutoff == NOW - timedelta(days=30)
    assert keys() == {
        "young",
        "failed-old",
        "never-ran-old",
        "failed-young",
        f"{InboundSource.VOUCHER_CODE_USE}:WDCARD-1",
    }
    # the old events still to apply: counted per source and logged, never deleted
    assert [(g.source, g.count, g.failed) for g in result.unapplied] == [
        ("saleor:ORDER_PAID", 1, 0),
        ("wechat.mp", 1, 1),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    said = "1 inbound events from wechat.mp older than 30 days are not applied (1 failed"
    assert any(said in w for w in warnings)
    assert any("saleor:ORDER_PAID" in w for w in warnings)
    assert "deleted 3 processed inbound events" in caplog.text
    # a second run finds nothing more to delete and reports the same old events again
    again = inbound_events_prune(now=NOW)
    assert again.deleted == 0 and len(again.unapplied) == 2


def test_an_event_applied_after_a_failure_is_deleted_once_old(settings):
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 30
    row = event("failed-then-applied", age_days=60, processed=False, error="boom")
    assert inbound_events_prune(now=NOW).deleted == 0
    InboundEvent.objects.filter(pk=row.pk).update(processed_at=NOW, error="")
    assert inbound_events_prune(now=NOW).deleted == 1 and keys() == set()


def test_deletion_goes_in_bounded_batches_oldest_first_and_resumes_next_run(settings):
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 30
    for i in range(25):
        event(f"old-{i:02}", age_days=100 - i)  # old-00 is the oldest
    event("young", age_days=1)
    with CaptureQueriesContext(connection) as queries:
        first = inbound_events_prune(now=NOW, batch_size=10, max_batches=2)
    assert first.deleted == 20 and first.more
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 2  # one bounded statement per batch, each in its own (auto)commit
    # each names its ids (at most a batch): no range predicate that could lock more than it deletes
    assert [len(re.search(r"IN \(([^)]*)\)", d).group(1).split(",")) for d in deletes] == [10, 10]
    assert keys() == {f"old-{i:02}" for i in range(20, 25)} | {"young"}  # the oldest went first
    second = inbound_events_prune(now=NOW, batch_size=10, max_batches=2)
    assert second.deleted == 5 and not second.more
    assert keys() == {"young"}


def test_the_indexes_are_there_and_valid(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's catalog")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
            "AND c.relname LIKE 'wd_inbound_%%' ORDER BY c.relname",
            ["wechat_distribution_inboundevent"],
        )
        rows = cursor.fetchall()
    assert [(name, valid) for name, valid, _ in rows] == [
        ("wd_inbound_received", True),
        ("wd_inbound_unprocessed", True),
    ]
    assert "WHERE (processed_at IS NULL)" in rows[1][2]


# --- the task and the schedules -------------------------------------------------------------------------


def test_the_task_runs_eagerly_and_reports_counts(settings):
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 30
    event("old", age_days=31)
    event("failed-old", age_days=31, processed=False, error="boom")
    assert inbound_events_prune_task.app.conf.task_always_eager  # the tests' (sandbox's) Celery app
    outcome = inbound_events_prune_task.delay().get()
    assert outcome == {"deleted": 1, "more": 0, "unapplied": 1, "failed": 1}
    assert keys() == {"failed-old"}
    assert inbound_events_prune_task.name == task_names.INBOUND_EVENTS_PRUNE
    assert task_names.INBOUND_EVENTS_PRUNE in task_names.ALL


def test_the_sandbox_beat_schedule_prunes_hourly():
    from saleor_wechat_distribution.sandbox import settings as sandbox_settings

    entry = sandbox_settings.CELERY_BEAT_SCHEDULE["prune-inbound-events"]
    assert entry == {"task": task_names.INBOUND_EVENTS_PRUNE, "schedule": 3600.0}


def test_the_app_beat_schedule_prunes_each_instance_hourly(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgres://wd@127.0.0.1:5432/wd")
    monkeypatch.setenv("WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS", "https://shop.example.com/graphql/")
    monkeypatch.setenv("WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS", "120")
    monkeypatch.delitem(sys.modules, "saleor_wechat_distribution.app.settings", raising=False)
    app_settings = importlib.import_module("saleor_wechat_distribution.app.settings")
    try:
        entry = app_settings.CELERY_BEAT_SCHEDULE["prune-inbound-events"]
        assert entry == {
            "task": task_names.APP_FOR_EACH_INSTANCE,
            "args": (task_names.INBOUND_EVENTS_PRUNE,),
            "schedule": 3600.0,
        }
        assert retention_days_of(app_settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS) == (120, "")
    finally:
        sys.modules.pop("saleor_wechat_distribution.app.settings", None)
