"""``Host.checkout_lookup`` over Saleor's GraphQL API (App mode's ``saleor_adapter/wiring.checkout_channel``):
``checkoutAttribute`` finds the checkout a storefront names and keeps the code under the checkout's
token, which the order carries (``Order.checkoutId`` is ``Checkout:<token>``; ``orders.order_snapshot``
reads the token back out of it), so the order created from the checkout finds its code.

Read as the storefront reads it (no token): Saleor answers ``checkout(id:)`` to anyone who holds the id
in an active channel, and no checkout permission is needed. An id that is not a checkout's, a checkout
Saleor does not have (completed, expired, deleted) or one in an inactive channel (Saleor refuses it) is
"no such checkout". A bare token (``Checkout.token``, a UUID) is accepted as the plugin accepts it.

The other way a storefront gives a code, the checkout's metadata (``wechat_distribution.ref``), needs
nothing here: Saleor copies a checkout's metadata onto the order it becomes (``checkoutComplete`` and
``orderCreateFromCheckout``: ``saleor/checkout/complete_checkout.py``), and ORDER_CREATED's task reads the
order's metadata like the plugin does.
"""

from __future__ import annotations

import base64
import uuid

from ..ports import HostCheckout
from .host_client import asking, shopper_client
from .saleor_api import SaleorApiError

CHECKOUT_QUERY = """
query WeChatDistributionCheckout($id: ID!) { checkout(id: $id) { id channel { slug } } }
"""


def checkout_token(checkout_id: str) -> str | None:
    """The checkout's token from its global id (``Checkout:<uuid>``) or from the bare token."""
    candidates = []
    try:
        decoded = base64.b64decode(checkout_id + "=" * (-len(checkout_id) % 4), validate=True).decode()
        type_name, _, raw = decoded.partition(":")
        if type_name == "Checkout":
            candidates.append(raw)
    except (ValueError, UnicodeDecodeError):
        pass
    candidates.append(checkout_id)
    for candidate in candidates:
        try:
            return str(uuid.UUID(candidate))
        except ValueError:
            continue
    return None


def checkout_lookup(checkout_id: str) -> HostCheckout | None:
    token = checkout_token(str(checkout_id or ""))
    if token is None:
        return None
    global_id = base64.b64encode(f"Checkout:{token}".encode()).decode()
    client = shopper_client()
    with asking("checkout"):
        try:
            data = client.query(CHECKOUT_QUERY, {"id": global_id})
        except SaleorApiError:  # Saleor refuses a checkout of an inactive channel: no checkout for us
            return None
    checkout = data.get("checkout")
    slug = ((checkout or {}).get("channel") or {}).get("slug") if isinstance(checkout, dict) else None
    return HostCheckout(checkout_id=token, channel=slug) if slug else None
