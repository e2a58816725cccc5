"""User-facing strings come in Simplified Chinese and English."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from saleor_wechat_distribution.sandbox.tokens import issue_token
from saleor_wechat_distribution.testing.factories import customer, make_distributor

LOCALE = Path(__file__).resolve().parents[1] / "saleor_wechat_distribution" / "locale"


def _msgids(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    ids = []
    for block in re.findall(r'^msgid((?: ?"(?:[^"\\]|\\.)*"\n)+)', text, re.M):
        escaped = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
        msgid = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), escaped)
        if msgid:
            ids.append(msgid)
    return ids


def test_every_string_has_a_compiled_chinese_translation():
    po = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with (po.with_suffix(".mo")).open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    ids = _msgids(po)
    assert len(ids) > 30
    untranslated = [m for m in ids if catalog.gettext(m) == m]
    assert untranslated == [], "translate and run compilemessages"


@pytest.mark.django_db
def test_graphql_errors_follow_accept_language():
    principal = customer()
    make_distributor(principal=principal)
    query = 'mutation { distributorApply(input: {displayName: "again"}) { errors { code message } } }'
    answers = {}
    for language in ("en", "zh-hans"):
        response = Client().post(
            "/graphql/",
            json.dumps({"query": query}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {issue_token(principal)}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        (error,) = response.json()["data"]["distributorApply"]["errors"]
        assert error["code"] == "ALREADY_APPLIED"
        answers[language] = error["message"]
    assert answers == {"en": "You have already applied.", "zh-hans": "您已经申请过了。"}
