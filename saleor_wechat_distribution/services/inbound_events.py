"""Apply an inbound event once: the one way WeChat callbacks, WeChat Pay notifications and code uses
reported from WeChat change our data.

dj-stripe's shape, with the verification moved first so that nothing is written for a refused (forged,
stale, replayed) request: the caller verifies the request, then :func:`inbound_event_apply_once` logs the
event raw (``InboundEvent``) under its unique ``dedupe_key`` and applies it in the same transaction.

- A duplicate (the key was applied before, or is being applied by a concurrent delivery: the unique index
  makes the second insert wait for the first transaction) is acknowledged without applying again.
- A failure rolls back the log row and every write of the effect together, so no half-written state is
  left; the failure is then recorded on an unprocessed log row (``error``), and the next delivery of the
  same key applies it (WeChat and WeChat Pay retry until they get a success answer).
- An effect may decide it changed nothing (``keep`` returns False): then nothing is kept at all, neither
  its writes nor the log row, so events that matter to nobody do not fill the log (a row left by an
  earlier failure is marked processed, so it no longer reads as failed).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import InboundEvent

logger = logging.getLogger(__name__)

T = TypeVar("T")

KEY_MAX_LENGTH = InboundEvent._meta.get_field("dedupe_key").max_length or 160
ERROR_MAX_LENGTH = InboundEvent._meta.get_field("error").max_length or 255


@dataclass(frozen=True)
class Applied(Generic[T]):
    """What became of one delivery of an inbound event."""

    #: the key was applied before (or concurrently): ``apply`` did not run this time
    duplicate: bool
    #: what ``apply`` returned (None for a duplicate)
    result: T | None = None
    #: False when ``apply`` ran but changed nothing worth keeping (see ``keep``)
    kept: bool = False


def inbound_event_key(key: str) -> str:
    """``key`` as stored: unchanged when it fits, else a prefix and its digest (two long keys sharing a
    prefix stay two keys)."""
    if len(key) <= KEY_MAX_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_MAX_LENGTH - len(digest) - 1]}#{digest}"


def _body_text(body: bytes | str) -> str:
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def _always(result: object) -> bool:
    return True


def inbound_event_apply_once(
    *,
    source: str,
    key: str,
    body: bytes | str,
    apply: Callable[[], T],
    headers: Mapping[str, str] | None = None,
    keep: Callable[[T], bool] = _always,
) -> Applied[T]:
    """Log the verified event raw under ``key`` and run ``apply`` once for that key.

    ``apply`` runs inside the transaction that marks the event processed; if it raises, nothing of it nor
    of the log row is kept, the error is noted on an unprocessed row and the exception propagates (the
    caller answers with a failure, the sender retries, the retry applies). ``keep(result)`` False: the
    effect changed nothing, so its writes are rolled back, and so is the log row when this delivery wrote
    it (a retry of a failed event marks the logged row processed instead).
    """
    key = inbound_event_key(key)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    event = InboundEvent.objects.create(
                        source=source, dedupe_key=key, headers=dict(headers or {}),
                        body=_body_text(body), verified=True,
                    )  # fmt: skip
                logged_now = True
            except IntegrityError:
                # Logged before: applied (a duplicate), or failed and left for a retry. The row lock
                # waits for a concurrent delivery still applying it.
                event = InboundEvent.objects.select_for_update().get(dedupe_key=key)
                if event.processed_at is not None:
                    return Applied(duplicate=True)
                logged_now = False
            with transaction.atomic():
                result = apply()
                kept = keep(result)
                if not kept:
                    transaction.set_rollback(True)  # the effect's writes, if any
            if not kept and logged_now:
                transaction.set_rollback(True)  # and the log row: nothing worth keeping happened
                return Applied(duplicate=False, result=result, kept=False)
            # applied (or, retrying a failure, found to change nothing: done all the same)
            event.processed_at = timezone.now()
            event.error = ""
            event.save(update_fields=["processed_at", "error"])
    except Exception as error:
        _note_failure(source=source, key=key, headers=headers, body=body, error=error)
        raise
    return Applied(duplicate=False, result=result, kept=kept)


def _note_failure(
    *, source: str, key: str, headers: Mapping[str, str] | None, body: bytes | str, error: Exception
) -> None:
    """Leave an unprocessed row saying why the event failed (the next delivery applies it). Never masks
    the original error: a failure to note it is only logged."""
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    logger.warning("inbound event %s failed: %s", key, text)
    try:
        with transaction.atomic():
            if InboundEvent.objects.filter(dedupe_key=key, processed_at__isnull=True).update(error=text):
                return
            with transaction.atomic():
                InboundEvent.objects.create(
                    source=source, dedupe_key=key, headers=dict(headers or {}), body=_body_text(body),
                    verified=True, error=text,
                )  # fmt: skip
    except IntegrityError:
        pass  # a concurrent delivery logged (and applied) it meanwhile
    except Exception:
        logger.exception("could not note the failure of inbound event %s", key)
