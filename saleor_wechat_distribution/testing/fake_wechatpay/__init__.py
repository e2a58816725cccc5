"""A fake WeChat Pay for tests: one in-process "world" served over real HTTP on 127.0.0.1.

The gateways under test use the libraries' real clients (wechatpayv3, wechatpy) pointed at this server, so
request signing, answer verification, AES-GCM and XML/MD5 all run for real. The world is written against
WeChat Pay's published behaviour, independently of the libraries (it never imports them), so a library or
gateway bug shows up as a failed test instead of being mirrored.

What it keeps, like the real merchant account would: transfer bills by ``out_bill_no`` (v3 商家转账) and
by ``partner_trade_no`` (v2 企业付款), the merchant's balance, the money each user received, and a
count of calls per endpoint. Tests script what happens next (``next_transfer_outcome``), drive the user's
side (``user_confirms``, ``user_never_confirms``) and build signed, encrypted notifications
(``transfer_notification``).

Routes live in a dispatch table, so other products (商家券 ``/v3/marketing/busifavor/*``) are added next
to the transfer ones without touching the server plumbing: v3 routes get the request signature checked
(401 SIGN_ERROR otherwise) and their answers signed with the platform key; a handler only sees a
``FakeRequest`` and returns a ``FakeResponse``::

    world.add_route("POST", r"/v3/marketing/busifavor/stocks", "busifavor.stocks.create", handler)

Typical use::

    with FakeWeChatPay() as world:                       # 127.0.0.1, random port, daemon thread
        gateway = WeChatPayV3Payouts(WeChatPayV3Settings(..., api_base_url=world.base_url))
        result = gateway.transfer(out_bill_no="W1", ...)  # WAIT_USER_CONFIRM + package_info
        world.user_confirms("W1")
        headers, body = world.transfer_notification("W1")
"""

from .busifavor import FakeBusifavor
from .busifavor_coupons import FakeCoupon
from .busifavor_stocks import FakeStock
from .crypto import rsa_test_key, self_signed_certificate
from .state import (
    BILL_OUTCOMES,
    ERROR_OUTCOMES,
    FakeMerchant,
    FakePlatform,
    Payment,
    TransferBill,
    V2Transfer,
)
from .world import FakeWeChatPay

__all__ = [
    "BILL_OUTCOMES",
    "ERROR_OUTCOMES",
    "FakeBusifavor",
    "FakeCoupon",
    "FakeMerchant",
    "FakePlatform",
    "FakeStock",
    "FakeWeChatPay",
    "Payment",
    "TransferBill",
    "V2Transfer",
    "rsa_test_key",
    "self_signed_certificate",
]
