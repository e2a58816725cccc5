"""A fake of WeChat's Official Account and Open Platform APIs, served over real HTTP on 127.0.0.1.

Built like ``fake_wechatpay``: one in-process world, a dispatch table of routes, a ThreadingHTTPServer in
a daemon thread. Written from WeChat's documentation (errcodes included), never importing wechatpy, so the
client code under test runs for real against it. Point clients at ``world.base_url + "/"`` (settings
``WECHAT_DISTRIBUTION_API_BASE_URL``).

What it keeps: accounts (app secret, followers with openid / unionid / QR scene), access tokens with
their expiry (tests expire or revoke them), QR tickets, one-time OAuth codes, template messages sent,
legacy 卡券 cards with custom codes (``card/code/consume``), and the Open Platform's side (verify
ticket, component token, pre-auth codes, authorization codes, authorizer refresh tokens), and Mini
Programs (``mini_program.py``: wx.login codes, 小程序码, subscribe messages).
``calls`` counts requests per route.

    with FakeWeChatMp() as world:
        account = world.add_account("wx1234567890abcdef")
        world.follow(account.app_id, "openid-1", scene="ABCD2345")
"""

from .mini_program import FakeMiniProgram
from .state import FakeAccount, FakeCard, FakeFollower, SentTemplate
from .world import FakeWeChatMp

__all__ = ["FakeAccount", "FakeCard", "FakeFollower", "FakeMiniProgram", "FakeWeChatMp", "SentTemplate"]
