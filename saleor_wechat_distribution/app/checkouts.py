"""``Host.checkout_lookup`` over Saleor's GraphQL API (App mode's ``saleor_adapter/wiring.checkout_channel``):
``checkoutAttribute`` finds the checkout a storefront names and keeps the code under the checkout's
token, which the order carries (``Order.checkoutId`` is ``Checkout:<token>``; ``orders.order_snapshot``
reads the token back out of it), so the order created from the checkout finds its code.

Read with the App's token: ``checkout(id:)`` answers anyone who holds the id in an active channel (no
checkout permission: the App does not ask for MANAGE_CHECKOUTS), and the checkout's customer
(``Checkout.user``: Saleor shows it to the customer themself or to MANAGE_USERS, HANDLE_PAYMENTS or
HANDLE_TAXES, ``saleor/graphql/checkout/types.py``) through the App's MANAGE_USERS. That is what lets
``checkoutAttribute`` bind a signed-in caller at once, and only through their own (or a guest's)
checkout: ``services/referrals.checkout_attribute``. An id that is not a checkout's, a checkout Saleor does
not have (completed, expired, deleted) or one in an inactive channel (Saleor refuses it to an App without
MANAGE_CHECKOUTS, IMPERSONATE_USER or HANDLE_PAYMENTS, as to a shopper: the refusal is on ``checkout``
itself) is "no such checkout". Any other refusal (the App's token revoked, MANAGE_USERS taken away: an
error on ``checkout.user``) or Saleor not answering is ``HostUnavailable``, before anything is written.
A bare token (``Checkout.token``, a UUID) is accepted as the plugin accepts it.

The other way a storefront gives a code, the checkout's metadata (``wechat_distribution.ref``), needs
nothing here: Saleor copies a checkout's metadata onto the order it becomes (``checkoutComplete`` and
``orderCreateFromCheckout``: ``saleor/checkout/complete_checkout.py``), and ORDER_CREATED's task reads the
order's metadata like the plugin does.
"""

from __future__ import annotations

import base64
import uuid

from django.utils.translation import gettext_lazy as _

from ..ports import HostCheckout, HostUnavailable
from .host_client import app_client, asking
from .orders import database_pk
from .saleor_api import SaleorGraphQLError

CHECKOUT_QUERY = """
query WeChatDistributionCheckout($id: ID!) { checkout(id: $id) { id channel { slug } user { id } } }
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
    client = app_client()
    with asking("checkout"):
        try:
            data = client.query(CHECKOUT_QUERY, {"id": global_id})
        except SaleorGraphQLError as error:
            if not error.only_at("checkout"):  # e.g. ``checkout.user`` refused: not "no such checkout"
                raise
            return None  # Saleor refuses a checkout of an inactive channel: no checkout for us
    checkout = data.get("checkout")
    if not isinstance(checkout, dict):
        return None
    slug = (checkout.get("channel") or {}).get("slug")
    if not slug:
        return None
    user = checkout.get("user")
    pk = database_pk(user.get("id")) if isinstance(user, dict) else None
    if user is not None and not (pk and pk.isdigit()):
        raise HostUnavailable(
            _("Saleor's answer about the checkout's customer is not understood; nothing was changed.")
        )
    return HostCheckout(checkout_id=token, channel=slug, customer_user_id=int(pk) if pk else None)
