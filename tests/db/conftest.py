"""Tests of the fast paths in ``saleor_wechat_distribution/db``: each runs on the suite's PostgreSQL and,
through ``test_on_sqlite.py``, once more on SQLite (the sandbox's default), so both forms of every
builder are checked against the same expectations."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture
def vendor() -> str:
    return connection.vendor
