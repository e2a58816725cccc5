"""``python -m saleor_wechat_distribution.sandbox miniprogram-demo``: the Mini Program flow end to end on
the sandbox's demo data, against the fake WeChat of ``testing/`` started in this process (wechatpy's real
client code calls it over HTTP): a distributor's 小程序码 for a product, a newcomer signing in with
``wx.login``'s code, the scan's scene binding them, and a subscribe message accepted and sent. Each step
prints what the Mini Program would call (the GraphQL operation) and what came back."""

from __future__ import annotations

from django.conf import settings

from ..models import CustomerBinding, Distributor, SubscribeMessage, WeChatIdentity
from ..ports import Principal
from ..sealing import seal
from ..services.miniprogram.codes import mini_program_code_for
from ..services.miniprogram.scenes import referral_scene_resolve
from ..services.miniprogram.sign_in import mini_program_sign_in
from ..services.miniprogram.subscriptions import subscribe_withdrawal_paid, subscriptions_record
from ..testing.fake_wechat_mp import FakeWeChatMp
from .catalog import SandboxProductCatalog
from .seed import DEMO_CHANNEL, STOREFRONTS

MINI_APP = "wxsandboxmini00001"
TEMPLATE = "TPL-WITHDRAWAL-PAID"


def run_mini_program_demo() -> list[str]:
    lines: list[str] = []
    with FakeWeChatMp() as world:
        mini = world.add_mini_program(MINI_APP)
        mini.templates[TEMPLATE] = {"amount1", "character_string2"}
        settings.WECHAT_DISTRIBUTION_API_BASE_URL = world.base_url + "/"
        settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {
            DEMO_CHANNEL: {
                "app_id": MINI_APP,
                "app_secret_sealed": seal(mini.account.secret),
                "subscribe_templates": {
                    "withdrawal_paid": {
                        "template_id": TEMPLATE,
                        "fields": {"amount": "amount1", "order": "character_string2"},
                    }
                },
            }
        }
        owner_id = STOREFRONTS[0][0]
        distributor = Distributor.objects.get(user_id=owner_id)
        product = SandboxProductCatalog().products_search(channel=DEMO_CHANNEL, query="", first=1).items[0]
        code = mini_program_code_for(
            distributor=distributor, channel=DEMO_CHANNEL, product_id=product.product_id
        )
        lines.append(
            f"1. miniProgramCodeCreate(productId: {product.product_id!r}) by {distributor.display_name}: "
            f"scene {code.scene!r}, page {code.page!r}, PNG {code.image}"
        )
        newcomer = mini_program_sign_in(
            principal=Principal.anonymous(),
            channel=DEMO_CHANNEL,
            code=world.wx_login(MINI_APP, "mini-newcomer"),
        )
        customer = Principal(user_id=newcomer.session.user_id)
        lines.append(
            f"2. wx.login() -> miniProgramSignIn(code): customer {customer.user_id}, openid "
            f"{newcomer.identity.openid} (the session key stays on the server)"
        )
        scanned = referral_scene_resolve(principal=customer, scene=code.scene)
        binding = CustomerBinding.objects.filter(
            customer_key=f"user:{customer.user_id}", channel=DEMO_CHANNEL
        )
        lines.append(
            f"3. the scan opens {code.page}?scene={code.scene} -> referralSceneResolve(scene): referral code "
            f"{scanned.code.distributor.referral_code}, bound={scanned.bound} "
            f"(binding to distributor {binding.values_list('distributor_id', flat=True).first()})"
        )
        WeChatIdentity.objects.get_or_create(
            app_id=MINI_APP, openid="mini-owner", defaults={"user_id": owner_id}
        )
        world.wx_login(MINI_APP, "mini-owner")
        world.subscribe_accept(MINI_APP, "mini-owner", TEMPLATE)
        accepted = subscriptions_record(
            principal=Principal(user_id=owner_id), channel=DEMO_CHANNEL, answers=[(TEMPLATE, "accept")]
        )
        lines.append(
            f"4. wx.requestSubscribeMessage -> miniProgramSubscriptionsRecord: {len(accepted)} accepted"
        )
        withdrawal = distributor.withdrawals.order_by("-pk").first()
        if withdrawal is not None:
            subscribe_withdrawal_paid(withdrawal=withdrawal)
            message = SubscribeMessage.objects.filter(key=f"mp:withdrawal_paid:{withdrawal.pk}").first()
            sent = [s.data for s in world.subscribe_sent]
            lines.append(
                f"5. withdrawal paid -> subscribe message {message.status if message else '-'}: {sent}"
            )
        else:
            lines.append(
                "5. (no withdrawal in the demo data yet: a paid one would send the subscribe message)"
            )
    return lines
