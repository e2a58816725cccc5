"""``VoucherSource`` over Saleor's GraphQL API with the App's token (App mode's ``saleor_adapter/
voucher_source.py``); the App needs ``MANAGE_DISCOUNTS`` (``console/manifest.py``).

- Ids are the plugin's: a voucher's database pk (``"12"`` for ``Vm91Y2hlcjoxMg==``), so a program moved
  from plugin mode to App mode keeps its coupon stocks.
- The listing: as in plugin mode, the first (by channel slug) whose channel has a coupon merchant
  configured, else the first CNY listing, else the first; no listing -> handed over inactive.
- Distributor assignment: the private metadata key :data:`DISTRIBUTOR_METADATA_KEY` (as the plugin).
- Codes: Saleor's ``voucher.codes`` connection pages at most 100 codes, newest first, and cannot be
  sorted by code, while the core streams codes in ascending order after a cursor (resumable uploads). So
  the codes are read once (every page) per task or request, kept in memory sorted (``_memo``, emptied
  when a Celery task or an HTTP request starts, and after ``MEMO_MAX_AGE_S`` elsewhere), and every
  ``voucher_get`` of that task iterates over that one read: the code count, the codes uploaded and the
  codes registered agree with each other.
  Deactivated codes (``isActive: false``) are left out, as in plugin mode. Each code read is recorded
  with its voucher (``SaleorVoucherCode``): VOUCHER_CODES_DELETED names codes Saleor no longer has.
- A code redeemed in WeChat (``voucher_code_mark_used``): Saleor's API has no mutation that sets
  ``VoucherCode.isActive`` nor one that counts a use, so the code is deleted (``voucherCodeBulkDelete``,
  ``MANAGE_DISCOUNTS``): a checkout can no longer apply it. Orders that used it keep their
  ``voucherCode`` text. The reference is recorded (``InboundEvent``) so a repeated report calls nothing.
- Whether a code can be used again (``voucher_code_usable``, after an order that used it was cancelled):
  Saleor's rule for a code in a checkout (the code's ``isActive``, the voucher's ``usageLimit`` above its
  ``used``, the sum over its codes), read through ``voucher(id:)`` (``CODE_STATE_QUERY``). Saleor's
  ``voucher.codes`` cannot be filtered by code (nor is a ``VoucherCode`` a ``Node``), so the code is found
  in that connection's pages, read until it turns up (one query for a voucher of at most 100 codes).
- Saleor unreachable or refusing: :class:`~..domain.coupons.CouponTemporaryError` (the coupon tasks retry
  with backoff and show the error on the stock when the retries run out); never ``None``, which would
  read as "the voucher was deleted" and deactivate its coupons.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .. import conf
from ..domain.coupons import CouponTemporaryError, VoucherDiscountType
from ..domain.inbound_events import InboundSource
from ..models import InboundEvent, SaleorVoucherCode
from ..ports import VoucherCodeUsability, VoucherSnapshot, VoucherSummary
from ..services.inbound_events import inbound_event_apply_once, inbound_event_key
from .instances import installation_in_scope
from .orders import database_pk
from .saleor_api import SaleorApiError, SaleorClient, SaleorUnavailable

logger = logging.getLogger(__name__)

DISTRIBUTOR_METADATA_KEY = "wechat_distribution.distributor"
CODE_USE_SOURCE = InboundSource.VOUCHER_CODE_USE
#: Saleor's maximum page size
PAGE = 100
#: the vouchers list reads at most this many pages of matching vouchers (the console's search narrows)
MAX_LIST_PAGES = 100
#: a code's state is looked for in at most this many pages of its voucher's codes (100,000 codes)
MAX_CODE_PAGES = 1000

_LISTING = "channel { slug isActive } discountValue currency minSpent { amount currency }"
VOUCHER_QUERY = f"""
query WeChatDistributionVoucher($id: ID!, $after: String) {{
  voucher(id: $id) {{
    id name type discountValueType startDate endDate usageLimit applyOncePerCustomer
    distributor: privateMetafield(key: "{DISTRIBUTOR_METADATA_KEY}")
    channelListings {{ {_LISTING} }}
    codes(first: {PAGE}, after: $after) {{
      totalCount pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ id code isActive }} }}
    }}
  }}
}}
"""
VOUCHERS_QUERY = f"""
query WeChatDistributionVouchers($after: String, $filter: VoucherFilterInput) {{
  vouchers(first: {PAGE}, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{
      id name endDate
      channelListings {{ channel {{ slug isActive }} }}
      codes(first: 1) {{ totalCount }}
    }} }}
  }}
}}
"""
VOUCHER_COUNT_QUERY = """
query WeChatDistributionVoucherCount($filter: VoucherFilterInput) {
  vouchers(first: 1, filter: $filter) { totalCount }
}
"""
CODE_STATE_QUERY = f"""
query WeChatDistributionVoucherCodeState($id: ID!, $after: String) {{
  voucher(id: $id) {{
    id usageLimit used
    codes(first: {PAGE}, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ code isActive }} }}
    }}
  }}
}}
"""
CODE_DELETE_MUTATION = """
mutation WeChatDistributionVoucherCodeDelete($ids: [ID!]!) {
  voucherCodeBulkDelete(ids: $ids) { count errors { code message } }
}
"""


def voucher_global_id(voucher_id: str) -> str:
    import base64

    return base64.b64encode(f"Voucher:{voucher_id}".encode()).decode()


def voucher_pk(global_id: object) -> str | None:
    """``Vm91Y2hlcjoxMg==`` -> ``"12"``; None for anything else."""
    pk = database_pk(global_id) if isinstance(global_id, str) else None
    return pk if pk and pk.isdigit() else None


# --- one read of a voucher per task / request ----------------------------------------------------------


@dataclass
class _Read:
    voucher: dict[str, Any]
    #: every code of the voucher (active or not) -> (its VoucherCode global id, active)
    codes: dict[str, tuple[str, bool]] = field(default_factory=dict)

    def active_codes(self) -> list[str]:
        return sorted(code for code, (_id, active) in self.codes.items() if active)


_memo = threading.local()


#: outside tasks and requests (a shell, a command), what was read is forgotten after this long
MEMO_MAX_AGE_S = 300.0


def memo_clear(*_args: Any, **_kwargs: Any) -> None:
    """Forget what this thread read (connected to Celery's ``task_prerun`` and Django's
    ``request_started``: a read never outlives the task or the request that made it)."""
    _memo.reads = {}
    _memo.started = time.monotonic()


def _reads() -> dict[str, _Read | None]:
    if not hasattr(_memo, "reads") or time.monotonic() - _memo.started > MEMO_MAX_AGE_S:
        memo_clear()
    return _memo.reads


def _connect_memo_signals() -> None:
    from celery.signals import task_prerun
    from django.core.signals import request_started

    task_prerun.connect(memo_clear, weak=False, dispatch_uid="wd-app-voucher-memo-task")
    request_started.connect(memo_clear, weak=False, dispatch_uid="wd-app-voucher-memo-request")


_connect_memo_signals()


#: codes recorded per statement
REMEMBER_CHUNK = 1000


def _remember_codes(voucher_id: str, codes: Iterable[str]) -> None:
    """Record which voucher each code was read in (``SaleorVoucherCode``): VOUCHER_CODES_DELETED names
    codes Saleor no longer has. Rows are removed when their deletion is handled (``voucher_tasks``)."""
    known = set(SaleorVoucherCode.objects.filter(voucher_id=voucher_id).values_list("code", flat=True))
    new = sorted(code for code in codes if code not in known)
    for start in range(0, len(new), REMEMBER_CHUNK):
        SaleorVoucherCode.objects.bulk_create(
            [
                SaleorVoucherCode(code=code, voucher_id=voucher_id)
                for code in new[start : start + REMEMBER_CHUNK]
            ],
            update_conflicts=True,  # a code deleted from one voucher and added to another
            unique_fields=["code"],
            update_fields=["voucher_id", "seen_at"],
        )


# --- the answer -> the core's DTOs ---------------------------------------------------------------------


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, timezone.utc)


def _decimal(value: object) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def _discount_type(voucher: dict[str, Any]) -> str:
    if voucher.get("type") == "SHIPPING":
        return VoucherDiscountType.FREE_SHIPPING
    raw = str(voucher.get("discountValueType") or "").lower()
    return VoucherDiscountType(raw) if raw in set(VoucherDiscountType) else raw


def _distributor_id(voucher: dict[str, Any]) -> int | None:
    raw = voucher.get("distributor")
    try:
        value = int(str(raw).strip()) if raw not in (None, "") else None
    except ValueError:
        logger.warning(
            "voucher %s: %s is not a distributor id: %r", voucher.get("id"), DISTRIBUTOR_METADATA_KEY, raw
        )
        return None
    return value if value is not None and value > 0 else None


def _channel_has_coupons(slug: str) -> bool:
    return bool(conf.get_coupon_gateways(slug, None))


def _listing(voucher: dict[str, Any], coupon_channel: Callable[[str], bool]) -> dict[str, Any] | None:
    listings = sorted(
        (item for item in voucher.get("channelListings") or () if isinstance(item, dict)),
        key=lambda item: str((item.get("channel") or {}).get("slug") or ""),
    )
    for listing in listings:
        if coupon_channel(str((listing.get("channel") or {}).get("slug") or "")):
            return listing
    cny = [listing for listing in listings if listing.get("currency") == "CNY"]
    return (cny or listings or [None])[0]


def _after(codes: list[str], cursor: str | None) -> Iterator[str]:
    return iter(codes if cursor is None else [code for code in codes if code > cursor])


# --- the source ----------------------------------------------------------------------------------------

ClientFactory = Callable[[], SaleorClient | None]


def installed_client() -> SaleorClient | None:
    """The client of the Saleor instance in scope (``instance_scope``: the task's, the request's; outside
    any, the only one installed), None when there is none (``instances.py``)."""
    installation = installation_in_scope()
    return SaleorClient.of(installation) if installation is not None else None


class SaleorApiVoucherSource:
    def __init__(
        self, client: ClientFactory = installed_client, coupon_channel: Callable[[str], bool] | None = None
    ) -> None:
        self._client = client
        self._coupon_channel = coupon_channel or _channel_has_coupons

    # --- reading ---------------------------------------------------------------------------------
    def _query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        client = self._client()
        if client is None:
            raise CouponTemporaryError("SALEOR_NOT_INSTALLED", "the App is not installed in Saleor")
        try:
            return client.query(document, variables)
        except SaleorUnavailable as error:
            raise CouponTemporaryError("SALEOR_UNAVAILABLE", str(error)[:200]) from error
        except SaleorApiError as error:  # e.g. MANAGE_DISCOUNTS not granted yet: visible, retried
            raise CouponTemporaryError("SALEOR_ERROR", str(error)[:200]) from error

    def _read(self, voucher_id: str) -> _Read | None:
        """The voucher and every one of its codes (all pages), once per task or request."""
        reads = _reads()
        if voucher_id in reads:
            return reads[voucher_id]
        read: _Read | None = None
        after: str | None = None
        while True:
            voucher = self._query(VOUCHER_QUERY, {"id": voucher_global_id(voucher_id), "after": after}).get(
                "voucher"
            )
            if not isinstance(voucher, dict):
                read = None  # deleted (also between two pages: the codes read so far are of nothing)
                SaleorVoucherCode.objects.filter(voucher_id=voucher_id).delete()
                break
            page = voucher.get("codes") or {}
            if read is None:
                read = _Read(voucher=voucher)
            for edge in page.get("edges") or ():
                node = (edge or {}).get("node") or {}
                if node.get("code"):
                    read.codes[str(node["code"])] = (
                        str(node.get("id") or ""),
                        node.get("isActive") is not False,
                    )
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                break
            after = str(info["endCursor"])
        if read is not None:
            _remember_codes(voucher_id, read.codes)
        reads[voucher_id] = read
        return read

    def voucher_get(self, voucher_id: str, *, codes_after: str | None = None) -> VoucherSnapshot | None:
        if not str(voucher_id).isdigit():
            return None
        read = self._read(str(voucher_id))
        if read is None:
            return None
        voucher = read.voucher
        listing = _listing(voucher, self._coupon_channel)
        channel = (listing or {}).get("channel") or {}
        codes = read.active_codes()
        end = _datetime(voucher.get("endDate"))
        return VoucherSnapshot(
            voucher_id=str(voucher_id),
            name=str(voucher.get("name") or ""),
            discount_type=_discount_type(voucher),  # type: ignore[arg-type]
            value=_decimal((listing or {}).get("discountValue")) or Decimal(0),
            currency=str((listing or {}).get("currency") or ""),
            channel=str(channel.get("slug") or ""),
            codes=_after(codes, codes_after),
            code_count=len(codes),
            minimum_spend=_decimal(((listing or {}).get("minSpent") or {}).get("amount")),
            start=_datetime(voucher.get("startDate")),
            end=end,
            usage_limit=voucher.get("usageLimit"),
            once_per_customer=bool(voucher.get("applyOncePerCustomer")),
            active=listing is not None
            and channel.get("isActive") is not False
            and (end is None or end > timezone.now()),
            distributor_id=_distributor_id(voucher),
        )

    # --- the console's list ----------------------------------------------------------------------
    @staticmethod
    def _filter(search: str) -> dict[str, Any] | None:
        search = (search or "").strip()
        return {"search": search} if search else None

    def voucher_list(self, *, search: str, after: int | None, limit: int) -> list[VoucherSummary]:
        """Saleor sorts vouchers by name (or dates, values), never by creation, so the matching vouchers
        are read (at most ``MAX_LIST_PAGES`` pages) and ordered newest first (the pk) here."""
        nodes = self._list_nodes(self._filter(search))
        if (search or "").strip().isdigit():  # a voucher id, as in plugin mode
            nodes += self._list_nodes({"ids": [voucher_global_id(search.strip())]})
        now = timezone.now()
        summaries: dict[int, VoucherSummary] = {}
        for node in nodes:
            pk = voucher_pk(node.get("id"))
            if pk is None or (after is not None and int(pk) >= after):
                continue
            listings = sorted(
                (item.get("channel") or {} for item in node.get("channelListings") or ()),
                key=lambda c: str(c.get("slug") or ""),
            )
            end = _datetime(node.get("endDate"))
            summaries[int(pk)] = VoucherSummary(
                voucher_id=pk,
                name=str(node.get("name") or ""),
                channel=str(listings[0].get("slug") or "") if listings else "",
                code_count=int((node.get("codes") or {}).get("totalCount") or 0),
                active=any(c.get("isActive") for c in listings) and (end is None or end > now),
                position=int(pk),
            )
        return [summaries[pk] for pk in sorted(summaries, reverse=True)[:limit]]

    def _list_nodes(self, filter_: dict[str, Any] | None) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        after: str | None = None
        for _page in range(MAX_LIST_PAGES):
            page = self._query(VOUCHERS_QUERY, {"after": after, "filter": filter_}).get("vouchers") or {}
            nodes += [(e or {}).get("node") or {} for e in page.get("edges") or ()]
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                break
            after = str(info["endCursor"])
        return nodes

    def voucher_count(self, *, search: str) -> int:
        answer = self._query(VOUCHER_COUNT_QUERY, {"filter": self._filter(search)})
        return int((answer.get("vouchers") or {}).get("totalCount") or 0)

    # --- whether a code can be used again -------------------------------------------------------
    def voucher_code_usable(self, *, voucher_id: str, code: str) -> VoucherCodeUsability:
        """Read (never write) the voucher's usage and the code's state, page after page of its codes until
        the code is found; Saleor unreachable or refusing: ``CouponTemporaryError``."""
        if not str(voucher_id).isdigit():
            return VoucherCodeUsability(False, "the voucher no longer exists in Saleor")
        after: str | None = None
        for _page in range(MAX_CODE_PAGES):
            voucher = self._query(
                CODE_STATE_QUERY, {"id": voucher_global_id(str(voucher_id)), "after": after}
            ).get("voucher")
            if not isinstance(voucher, dict):
                return VoucherCodeUsability(False, "the voucher no longer exists in Saleor")
            connection = voucher.get("codes") or {}
            for edge in connection.get("edges") or ():
                node = (edge or {}).get("node") or {}
                if node.get("code") == code:
                    return VoucherCodeUsability.of(
                        found=True,
                        active=node.get("isActive") is not False,
                        usage_limit=voucher.get("usageLimit"),
                        used=int(voucher.get("used") or 0),
                    )
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return VoucherCodeUsability.of(found=False, active=False, usage_limit=None, used=0)
            after = str(info["endCursor"])
        raise CouponTemporaryError("SALEOR_CODE_NOT_REACHED", f"{code}: not within {MAX_CODE_PAGES} pages")

    # --- a code redeemed outside Saleor ----------------------------------------------------------
    def voucher_code_mark_used(self, *, voucher_id: str, code: str, reference: str) -> bool:
        """Delete the code in Saleor (no checkout can apply it any more), once per ``reference``: True
        when it is consumed (now or by an earlier report of the same reference), False when the voucher
        has no such code."""
        if not str(voucher_id).isdigit():
            return False
        key = inbound_event_key(f"{CODE_USE_SOURCE}:{reference}")
        if InboundEvent.objects.filter(dedupe_key=key, processed_at__isnull=False).exists():
            return True
        read = self._read(str(voucher_id))  # this task's read: a reconcile run reads a voucher once
        found = read.codes.get(code) if read is not None else None
        if found is None:  # perhaps added since: read again
            _reads().pop(str(voucher_id), None)
            read = self._read(str(voucher_id))
            found = read.codes.get(code) if read is not None else None
        if found is None or not found[0]:
            return False
        answer = self._query(CODE_DELETE_MUTATION, {"ids": [found[0]]}).get("voucherCodeBulkDelete") or {}
        errors = answer.get("errors") or []
        if errors:
            message = "; ".join(str(e.get("message") or e.get("code")) for e in errors if isinstance(e, dict))
            raise CouponTemporaryError("SALEOR_CODE_DELETE", message[:200] or "refused")
        read.codes.pop(code, None)
        inbound_event_apply_once(source=CODE_USE_SOURCE, key=key, body=code, apply=lambda: None)
        return True


# --- which voucher new codes belong to (``VOUCHER_CODES_CREATED`` names codes only) ---------------------

CODE_SEARCH_QUERY = f"""
query WeChatDistributionVoucherOfCode($filter: VoucherFilterInput, $after: String) {{
  vouchers(first: {PAGE}, after: $after, filter: $filter) {{
    pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }}
  }}
}}
"""


def _pages(client: SaleorClient, document: str, variables: dict[str, Any], path: str) -> Iterator[dict]:
    """The nodes of a connection (``path``: the field holding it), page after page."""
    after: str | None = None
    for _page in range(MAX_LIST_PAGES):
        data = client.query(document, {**variables, "after": after})
        connection = data
        for key in path.split("."):
            connection = (connection or {}).get(key) or {}
        yield from (((e or {}).get("node") or {}) for e in connection.get("edges") or ())
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return
        after = str(info["endCursor"])


def voucher_of_codes(client: SaleorClient, codes: list[str]) -> str | None:
    """The pk of the voucher holding ``codes`` (a code belongs to one voucher): among the vouchers Saleor's
    search finds for the longest of them (a name or a code containing it), the one whose codes include
    one of them; a voucher's codes come newest first, so the new codes are on its first page. Errors:
    ``SaleorApiError`` / ``SaleorUnavailable`` (the App task retries)."""
    wanted = set(codes)
    if not wanted:
        return None
    probe = max(sorted(wanted), key=len)
    for candidate in _pages(client, CODE_SEARCH_QUERY, {"filter": {"search": probe}}, "vouchers"):
        pk = voucher_pk(candidate.get("id"))
        if pk is None:
            continue
        for node in _pages(client, VOUCHER_QUERY, {"id": candidate["id"]}, "voucher.codes"):
            if node.get("code") in wanted:
                return pk
    return None
