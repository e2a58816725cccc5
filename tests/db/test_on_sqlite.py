"""Every test of ``tests/db`` once more on SQLite (the sandbox's default database), in one subprocess:
the suite's settings are PostgreSQL's, and each builder's portable form must keep the same promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

HERE = Path(__file__).parent


@pytest.mark.skipif(connection.vendor == "sqlite", reason="this is the SQLite run")
def test_db_builders_on_sqlite(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "WD_TEST_DB_NAME"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["WD_TEST_DB_NAME"] = str(tmp_path / "test.sqlite3")
    env["SANDBOX_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE), "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         f"--ignore={Path(__file__)}"],
        cwd=HERE.parent.parent, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, done.stdout[-2000:]
