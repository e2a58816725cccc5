"""``wechat-distribution-app check-move``: what README's "Moving a running program from plugin mode to App
mode" says to compare, checked against the database the App's settings point at (``DATABASE_URL``: Saleor's
database during the move, the App's own after step 6) with the App's ``SECRET_KEY``.

Checks (each a problem when it fails, so the command exits 1):

- our migrations: none pending (the code is newer than the tables) and none applied that this release does
  not know (the tables are newer than the code); none applied at all means the URL is not a database the
  plugin ever ran in;
- sealed secrets (every ``*_sealed`` column of our tables): each opens with this ``SECRET_KEY`` (or
  ``WECHAT_DISTRIBUTION_SECRET_KEY``); a row that does not would lose its WeChat account or payout key;
- the installation: the allowed Saleor instance installed the App (its row exists, with a JWKS);
- Saleor's webhooks: none stored and not processed yet (a worker is down, or Saleor is unreachable);
- totals: bindings per channel, attributions, commissions (rows, amount, reversed) and the ledger (entries,
  balance) per currency. Printed always; ``--save FILE`` writes them, ``--compare FILE`` compares them with
  a saved run (any difference is a problem): run it before a step and after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Sum

from ..models import (
    Commission,
    CustomerBinding,
    InboundEvent,
    LedgerEntry,
    OrderAttribution,
    SaleorAppInstallation,
)
from ..sealing import SealingError, unseal
from .instances import allowed_saleor_urls
from .tasks import SOURCE_PREFIX

APP_LABEL = "wechat_distribution"
SEALED_SUFFIX = "_sealed"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class MoveReport:
    checks: list[Check] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def lines(self) -> list[str]:
        out = [f"  {'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        out.append("  totals:")
        out.extend(f"    {line}" for line in _totals_lines(self.totals))
        problems = len(self.problems)
        out.append("no problem." if not problems else f"{problems} problem{'s' if problems > 1 else ''}.")
        return out


def _migrations(report: MoveReport) -> bool:
    """False when the tables cannot be read at all (nothing else is checked then)."""
    try:
        executor = MigrationExecutor(connection)
        applied = {name for label, name in executor.recorder.applied_migrations() if label == APP_LABEL}
    except DatabaseError as error:
        report.add("database", False, f"cannot read it: {error}".strip())
        return False
    known = {name for label, name in executor.loader.disk_migrations if label == APP_LABEL}
    if not applied:
        report.add(
            "migrations", False,
            "none of ours applied: is DATABASE_URL the database the plugin runs in (Saleor's)?",
        )  # fmt: skip
        return False
    pending = sorted(known - applied)
    unknown = sorted(applied - known)
    if pending:
        report.add("migrations", False, f"{len(pending)} pending ({', '.join(pending)}): run `migrate`")
    elif unknown:
        report.add(
            "migrations", False,
            f"{len(unknown)} applied that this release does not have ({', '.join(unknown)}): "
            "install the release the plugin runs",
        )  # fmt: skip
    else:
        report.add("migrations", True, f"{len(applied)} applied, none pending")
    return True


def _sealed_columns() -> Iterable[tuple[Any, str]]:
    for model in apps.get_app_config(APP_LABEL).get_models():
        for model_field in model._meta.concrete_fields:
            if model_field.name.endswith(SEALED_SUFFIX):
                yield model, model_field.name


def _secrets(report: MoveReport) -> None:
    opened = 0
    failed: dict[str, int] = {}
    for model, name in _sealed_columns():
        for value in model.objects.exclude(**{name: ""}).values_list(name, flat=True).iterator():
            try:
                unseal(value)
                opened += 1
            except SealingError:
                label = f"{model._meta.db_table}.{name}"
                failed[label] = failed.get(label, 0) + 1
    if failed:
        where = ", ".join(f"{count} in {label}" for label, count in sorted(failed.items()))
        report.add(
            "secrets", False,
            f"{sum(failed.values())} sealed value(s) do not open with this key ({where}): set SECRET_KEY "
            "(or WECHAT_DISTRIBUTION_SECRET_KEY) to the one Saleor's settings have",
        )  # fmt: skip
    else:
        report.add("secrets", True, f"{opened} sealed value(s) open with this key")


def _installation(report: MoveReport) -> None:
    urls = allowed_saleor_urls()
    installed = {i.saleor_api_url: i for i in SaleorAppInstallation.objects.filter(saleor_api_url__in=urls)}
    missing = [url for url in urls if url not in installed]
    if not urls:
        report.add("installation", False, "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS names no Saleor")
    elif missing:
        report.add(
            "installation", False,
            f"the App is not installed in {', '.join(missing)}: install it in Saleor with the manifest URL "
            "(step 3); /api/register must answer 200",
        )  # fmt: skip
    elif any(not i.jwks for i in installed.values()):
        report.add("installation", False, "installed, but no JWKS stored: install the App again")
    else:
        report.add("installation", True, ", ".join(f"{url} (app {installed[url].app_id})" for url in urls))


def _events(report: MoveReport) -> None:
    pending = InboundEvent.objects.filter(source__startswith=SOURCE_PREFIX, processed_at__isnull=True)
    count = pending.count()
    if not count:
        processed = InboundEvent.objects.filter(source__startswith=SOURCE_PREFIX).count()
        report.add("events", True, f"none pending ({processed} Saleor webhook(s) processed)")
        return
    oldest = pending.order_by("received_at").first()
    errors = pending.exclude(error="")
    detail = f"{count} Saleor webhook(s) not processed yet, the oldest received {oldest.received_at:%F %T}"
    last_error = errors.order_by("-received_at").values_list("error", flat=True).first()
    if last_error:
        detail += f"; {errors.count()} with an error, the last: {last_error}"
    report.add("events", False, detail + ": is the App's worker running?")


CENTS = Decimal("0.01")


def _money(value: Decimal | int | None) -> str:
    """Cents as cents (``26.00``, whatever the column's scale), finer amounts in full."""
    value = Decimal(value or 0)
    cents = value.quantize(CENTS)
    return str(cents if cents == value else value.normalize())


def totals() -> dict[str, Any]:
    """What must stay the same across the move (JSON-able: amounts as strings)."""
    bindings = dict(
        CustomerBinding.objects.values_list("channel").annotate(n=Count("pk")).order_by("channel")
    )
    attributions = dict(
        OrderAttribution.objects.values_list("currency").annotate(n=Count("pk")).order_by("currency")
    )
    commissions: dict[str, dict[str, Any]] = {}
    rows = Commission.objects.values("currency", "status").annotate(
        n=Count("pk"), amount=Sum("amount"), reversed=Sum("reversed_amount")
    )
    for row in rows.order_by("currency", "status"):
        entry = commissions.setdefault(
            row["currency"], {"rows": 0, "amount": Decimal(0), "reversed": Decimal(0), "by_status": {}}
        )
        entry["rows"] += row["n"]
        entry["amount"] += row["amount"] or 0
        entry["reversed"] += row["reversed"] or 0
        entry["by_status"][row["status"]] = row["n"]
    for entry in commissions.values():
        entry["amount"], entry["reversed"] = _money(entry["amount"]), _money(entry["reversed"])
    ledger = {
        row["currency"]: {"entries": row["n"], "balance": _money(row["balance"])}
        for row in LedgerEntry.objects.values("currency")
        .annotate(n=Count("pk"), balance=Sum("amount"))
        .order_by("currency")
    }
    return {"bindings": bindings, "attributions": attributions, "commissions": commissions, "ledger": ledger}


def _totals_lines(data: dict[str, Any]) -> list[str]:
    if not data:
        return ["(not read)"]
    bindings = data["bindings"]
    lines = [
        f"bindings: {sum(bindings.values())}"
        + (f" ({', '.join(f'{c} {n}' for c, n in bindings.items())})" if bindings else "")
    ]
    attributions = data["attributions"]
    lines.append(
        "attributions: " + (", ".join(f"{c} {n}" for c, n in attributions.items()) if attributions else "0")
    )
    if not data["commissions"]:
        lines.append("commissions: 0")
    for currency, entry in data["commissions"].items():
        statuses = ", ".join(f"{s} {n}" for s, n in entry["by_status"].items())
        lines.append(
            f"commissions {currency}: {entry['rows']} rows, amount {entry['amount']}, "
            f"reversed {entry['reversed']} ({statuses})"
        )
    if not data["ledger"]:
        lines.append("ledger: 0 entries")
    for currency, entry in data["ledger"].items():
        lines.append(f"ledger {currency}: {entry['entries']} entries, balance {entry['balance']}")
    return lines


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: data}


def compare_totals(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Each total that differs, as ``name: now (was before)``; empty when all are the same."""
    was, is_ = _flatten(before), _flatten(now)
    return [
        f"{key}: {is_.get(key, '-')} (was {was.get(key, '-')})"
        for key in sorted(set(was) | set(is_))
        if was.get(key) != is_.get(key)
    ]


def check_move(*, compare: Path | None = None, save: Path | None = None) -> MoveReport:
    report = MoveReport()
    if not _migrations(report):
        return report
    _secrets(report)
    _installation(report)
    _events(report)
    report.totals = totals()
    if compare is not None:
        try:
            before = json.loads(compare.read_text())
        except (OSError, ValueError) as error:
            report.add("totals", False, f"cannot read {compare}: {error}")
        else:
            differences = compare_totals(before, report.totals)
            if differences:
                report.add("totals", False, f"differ from {compare}: " + "; ".join(differences))
            else:
                report.add("totals", True, f"same as {compare}")
    if save is not None:
        save.write_text(json.dumps(report.totals, indent=2, sort_keys=True) + "\n")
    return report


def database_label() -> str:
    """The database checked, without its password."""
    db = connection.settings_dict
    return f"{db.get('USER') or ''}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
