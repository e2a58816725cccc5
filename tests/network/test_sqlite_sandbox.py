"""The import and export commands on the sandbox's SQLite database (no COPY, no advisory locks).

One subprocess (the test settings are PostgreSQL's): migrate, seed the demo network, export, re-import
(no-op), add rows and move one, dry run, real run, check the tree, re-import (no-op).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import csv, io, json, sys
import django
django.setup()
from django.core.management import call_command
from saleor_wechat_distribution.models import Distributor as D
from saleor_wechat_distribution.sandbox.seed import seed_demo_network

tmp = sys.argv[1]
out = {}
call_command("migrate", verbosity=0)
seed_demo_network()

def run(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue()

run("wechat_distribution_export", f"{tmp}/network.csv")
with open(f"{tmp}/network.csv", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
out["exported"] = len(rows)
out["reimport"] = run("wechat_distribution_import", f"{tmp}/network.csv")
east = next(r for r in rows if r["display_name"].startswith("华东"))
south = next(r for r in rows if r["display_name"].startswith("华南"))
next(r for r in rows if r["display_name"].startswith("王芳"))["parent_external_id"] = south["external_id"]
rows.append({"external_id": "N1", "parent_external_id": east["external_id"], "display_name": "新门店",
             "kind": "enterprise", "email": "n1@example.com"})
rows.append({"external_id": "N2", "parent_external_id": "N1", "display_name": "店员", "phone": "13800000002"})
with open(f"{tmp}/edited.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
out["dry"] = run("wechat_distribution_import", f"{tmp}/edited.csv", "--dry-run")
out["count_after_dry"] = D.objects.count()
out["real"] = run("wechat_distribution_import", f"{tmp}/edited.csv")
out["problems"] = [len(p) for p in D.objects.find_problems()]
out["wrong_team_sizes"] = [
    n.pk for n in D.objects.all()
    if n.team_size != D.objects.filter(path__startswith=n.path, depth__gt=n.depth,
                                       status__in=["active", "suspended"]).count()
]
out["again"] = run("wechat_distribution_import", f"{tmp}/edited.csv")
print(json.dumps(out))
"""


def test_import_export_round_trip_on_sqlite(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        SANDBOX_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="saleor_wechat_distribution.sandbox.settings"
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["exported"] == 16 and "unchanged 16" in out["reimport"]
    assert "create 2" in out["dry"] and "move 1" in out["dry"] and out["count_after_dry"] == 16
    assert "written" in out["real"]
    assert out["problems"] == [0, 0, 0, 0, 0] and out["wrong_team_sizes"] == []
    assert "unchanged 18" in out["again"]
