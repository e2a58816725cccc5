"""A database App mode creates: public gets the registry and Django's tables only, each instance's schema
the program's tables; a query made outside every instance fails instead of reading some instance's rows."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from ..celery.conftest import ROOT, database_url

PROBE = textwrap.dedent(
    """
    import django
    django.setup()
    from django.db import ProgrammingError, connection
    from saleor_wechat_distribution.app.schemas import migrate_schema
    from saleor_wechat_distribution.instance_scope import scoped
    from saleor_wechat_distribution.models import Distributor, SaleorAppInstallation

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        print("public:", ",".join(name for (name,) in cursor.fetchall()))
    migrate_schema("wd_fresh1")
    with scoped("wd_fresh1"):
        print("in scope:", Distributor.objects.count(), SaleorAppInstallation.objects.count())
    try:
        Distributor.objects.count()
    except ProgrammingError as error:
        print("outside:", type(error).__name__)
    """
)


@pytest.fixture
def fresh_url() -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("App mode runs on PostgreSQL")
    base = database_url()
    # a database of this run's own (WD_TEST_DB_NAME keeps concurrent runs apart, as tests/settings.py does)
    name = f"{os.environ.get('WD_TEST_DB_NAME', 'test_wechat_distribution')}_fresh"[:63]
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_fresh_database_keeps_instances_out_of_public(fresh_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saleor_wechat_distribution.app.settings",
        "DATABASE_URL": fresh_url,
        "SECRET_KEY": "app-test-" + "s" * 40,
        "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS": "https://shop.example.com/graphql/",
        "PYTHONPATH": str(ROOT),
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    migrated = subprocess.run([sys.executable, "-m", "saleor_wechat_distribution.app", "migrate"], **run)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    probe = subprocess.run([sys.executable, "-c", PROBE], **run)
    assert probe.returncode == 0, probe.stderr[-2000:]
    lines = dict(line.split(": ", 1) for line in probe.stdout.strip().splitlines())
    assert set(lines["public"].split(",")) == {
        "django_content_type",
        "django_migrations",
        "wechat_distribution_saleorappinstallation",
        # what one Open Platform component keeps for every instance using it
        "wechat_distribution_componentticket",
        "wechat_distribution_officialaccountroute",
    }
    assert lines["in scope"] == "0 0"  # the instance's tables, and the registry behind them
    assert lines["outside"] == "ProgrammingError"  # no table of the program outside an instance
