"""A customer's WeChat identities as both adapters read them for an order (moved out of
``saleor_adapter/snapshots.py`` so that App mode reads them the same way).

They may sit in the Saleor user's *private* metadata (written by staff and apps only): ``{app_id: openid}``
as JSON under :data:`IDENTITIES_METADATA_KEY`. Public metadata is ignored: a customer can write their own,
and claiming someone else's openid would take over that person's binding. The core's identity model
(``WeChatIdentity`` linked to the user by the OAuth login) comes first: the adapters pass those as
``linked``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .ports import WeChatIdentityRef

IDENTITIES_METADATA_KEY = "wechat_distribution.openids"


def identities_from_metadata(private_metadata: Any) -> tuple[WeChatIdentityRef, ...]:
    raw = private_metadata.get(IDENTITIES_METADATA_KEY) if isinstance(private_metadata, Mapping) else None
    if not raw:
        return ()
    try:
        pairs = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ()
    if not isinstance(pairs, Mapping):
        return ()
    return tuple(
        WeChatIdentityRef(app_id=str(app_id)[:32], openid=str(openid)[:64])
        for app_id, openid in sorted(pairs.items())
        if app_id and openid
    )


def merged_identities(
    linked: Iterable[tuple[str, str]], from_metadata: tuple[WeChatIdentityRef, ...]
) -> tuple[WeChatIdentityRef, ...]:
    """``linked`` first, then the metadata's, duplicates dropped."""
    seen: set[tuple[str, str]] = set()
    merged = []
    for ref in [WeChatIdentityRef(app_id=a, openid=o) for a, o in linked] + list(from_metadata):
        if (ref.app_id, ref.openid) not in seen:
            seen.add((ref.app_id, ref.openid))
            merged.append(ref)
    return tuple(merged)
