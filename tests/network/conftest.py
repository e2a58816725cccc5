from __future__ import annotations

import csv
import io

import pytest

from saleor_wechat_distribution.domain.network_import import IMPORT_COLUMNS
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.network_import.run import network_import


def csv_bytes(rows: list[dict[str, str]], *, columns=IMPORT_COLUMNS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def row(key: str, parent: str = "", **kw: str) -> dict[str, str]:
    values = {
        "external_id": key,
        "parent_external_id": parent,
        "kind": "individual",
        "display_name": f"Name {key}",
        "email": f"{key.lower()}@example.com",
        "status": "active",
    }
    values.update(kw)
    return values


CHANNEL = "default-channel"


def run(data: bytes, *, fmt: str = "csv", dry_run: bool = False, channel: str = CHANNEL, **kw):
    return network_import(stream=data, file_format=fmt, actor=SYSTEM, dry_run=dry_run, channel=channel, **kw)


def tree_state() -> list[tuple]:
    return list(
        Distributor.objects.order_by("pk").values_list(
            "pk",
            "path",
            "depth",
            "numchild",
            "team_size",
            "status",
            "kind",
            "display_name",
            "email",
            "phone",
            "referral_code",
            "external_id",
            "inviter_id",
            "storefront__slug",
            "user_id",
            "updated_at",
        )
    )


def assert_tree_valid() -> None:
    assert not any(Distributor.objects.find_problems())
    for node in Distributor.objects.all():
        members = Distributor.objects.filter(
            path__startswith=node.path, depth__gt=node.depth, status__in=["active", "suspended"]
        ).count()
        assert node.team_size == members, node


def codes_of(result) -> dict[str, list[str]]:
    return {r["external_id"]: [e["code"] for e in r["errors"]] for r in result.error_rows}


@pytest.fixture
def network_db(db):
    return db
