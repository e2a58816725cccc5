"""The console's search of distributors (part of the name, an exact code or e-mail) is answered by
indexes on PostgreSQL (migration 0015): the trigram index on the name and the e-mail's upper-case index,
OR-ed, instead of a scan of a million rows."""

from __future__ import annotations

import pytest
from django.db import connection

from saleor_wechat_distribution.selectors.distributors import distributor_list
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db


def test_search_finds_by_part_of_the_name_code_or_email():
    wang = make_distributor(name="王芳 Wang Fang")
    li = make_distributor(name="李娜 Li Na")
    assert [d.pk for d in distributor_list(search="wang f")] == [wang.pk]
    assert [d.pk for d in distributor_list(search=li.referral_code.lower())] == [li.pk]
    assert [d.pk for d in distributor_list(search=li.email.upper())] == [li.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_search_uses_the_indexes_on_postgresql():
    make_distributor(name="王芳 Wang Fang")
    sql, params = distributor_list(search="Wang").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the indexes apply
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "wd_distributor_name_trgm" in plan and "wd_distributor_email_upper" in plan, plan
