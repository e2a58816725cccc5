"""App mode's database backend: the connection's search_path follows the instance in scope, also across
rollbacks, failed transactions and a connection reused by the next request or task."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from saleor_wechat_distribution import instance_scope
from saleor_wechat_distribution.app.schemas import migrate_schema
from saleor_wechat_distribution.models import ChannelProgram

pytestmark = pytest.mark.django_db
SCHEMA = "wd_searchpathtest"


def path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


@pytest.fixture
def schema(db) -> str:
    if connection.vendor != "postgresql":
        pytest.skip("schemas are PostgreSQL's")
    migrate_schema(SCHEMA)
    return SCHEMA


def test_rows_written_in_a_scope_stay_in_its_schema(schema):
    default = path()
    with instance_scope.scoped(schema):
        assert path() == f"{schema}, public"
        ChannelProgram.objects.create(channel="c", currency="CNY")
        assert ChannelProgram.objects.filter(channel="c").count() == 1
    assert path() == default  # leaving the scope: the default again, on the same connection
    assert not ChannelProgram.objects.filter(channel="c").exists()


def test_a_rolled_back_set_is_set_again(schema):
    with transaction.atomic():
        try:
            with transaction.atomic(), instance_scope.scoped(schema):
                ChannelProgram.objects.create(channel="c", currency="CNY")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        # the savepoint's rollback undid the SET: the backend must not believe the connection still has it
        with instance_scope.scoped(schema):
            assert path() == f"{schema}, public"
            ChannelProgram.objects.create(channel="d", currency="CNY")
        assert not ChannelProgram.objects.filter(channel="d").exists()
    with instance_scope.scoped(schema):
        assert ChannelProgram.objects.filter(channel="d").count() == 1


def test_a_failed_statement_in_a_scope_rolls_back_cleanly(schema):
    with instance_scope.scoped(schema):
        ChannelProgram.objects.create(channel="e", currency="CNY")
        with pytest.raises(IntegrityError), transaction.atomic():
            ChannelProgram.objects.create(channel="e", currency="CNY")  # the channel is unique
        assert ChannelProgram.objects.filter(channel="e").count() == 1


def test_a_nested_scope_and_its_end(schema):
    with instance_scope.scoped(schema):
        with instance_scope.scoped(None):
            assert "wd_" not in path()
        assert path() == f"{schema}, public"
    with pytest.raises(instance_scope.BadSchemaName), instance_scope.scoped('x"; DROP TABLE y; --'):
        pass
