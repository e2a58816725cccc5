"""What the sandbox prints at start: who each demo token is (and their status), the demo distributors'
referral codes, and what to try against the simulated WeChat."""

from __future__ import annotations

from ..models import CouponStock, Distributor, Storefront
from .demo_world import SHOWCASE_PRODUCT, SHOWCASE_USER
from .seed import NETWORK, demo_users
from .simulated_wechat import SimulatedWeChat
from .tokens import issue_token


def _status_of(user_id: int | None) -> str:
    distributor = Distributor.objects.filter(user_id=user_id).first() if user_id else None
    return distributor.status if distributor is not None else "not a distributor"


def token_lines() -> list[str]:
    """One line per demo token: who it is, what they are (staff permissions, or distributor status)."""
    lines = []
    for user in demo_users():
        principal = user.principal
        if principal.is_staff:
            perms = ", ".join(sorted(p.value for p in principal.permissions))
            what = f"staff, user {principal.user_id}: {perms}"
        else:
            what = f"user {principal.user_id}, distributor status: {_status_of(principal.user_id)}"
        lines.append(f"  {user.label} [{what}]: {issue_token(principal)}")
    return lines


def distributor_lines() -> list[str]:
    """Every demo distributor with its referral code, status, level and storefront."""
    by_user = {d.user_id: d for d in Distributor.objects.filter(user_id__in=[uid for uid, *_ in NETWORK])}
    stores = dict(
        Storefront.objects.filter(distributor__in=by_user.values()).values_list("distributor_id", "slug")
    )
    lines = []
    for uid, name, kind, _parent, _status in NETWORK:
        node = by_user.get(uid)
        if node is None:
            continue
        store = f", storefront {stores[node.pk]}" if node.pk in stores else ""
        lines.append(
            f"  {node.referral_code}  {name} ({kind}, {node.status}, level {node.depth}, user {uid}{store})"
        )
    return lines


def try_lines(wechat: SimulatedWeChat, root: str) -> list[str]:
    """The features to click through, each against the simulated WeChat."""
    root = root.rstrip("/")
    lines = ["What to try (everything WeChat does here is SIMULATED):"]
    code = wechat.showcase_code
    if code is not None:
        lines += [
            f"  1. QR code of {code.distributor} (prepared by storefrontQrCodeCreate): {code.image_url}",
            "     (a PNG that decodes to the code's link; the code's `qrCode { imageUrl funnel }` reads it)",
            f"  2. Simulated follow by scan: open {code.scan_url} , pick who scans: WeChat posts the",
            "     signed subscribe event to our callback, and the person is bound to the distributor",
            "     (see it in the funnel, or as that person's orders' attribution).",
        ]
    lines += [
        f"  3. Share poster: as {_name(SHOWCASE_USER)} (token above), run in GraphiQL",
        f'     mutation {{ sharePosterCreate(productId: "{SHOWCASE_PRODUCT}") {{ url errors {{ code }} }} }}',
        "     or tap 海报 Poster on the center's 分享 Share page.",
        "  4. Withdrawal approved and paid: `./dev sandbox demo-orders` once (commissions to withdraw),",
        f"     then {root}/center/?s=wangfang as 王芳 Wang Fang -> 提现 Withdraw (below 500 CNY it is",
        "     approved at once) -> 确认收款 on the simulated WeChat Pay page, which pays and notifies us.",
    ]
    stocks = list(CouponStock.objects.filter(pk__in=[s.pk for s in wechat.coupon_stocks]))
    for stock in stocks:
        lines.append(
            f"  5. Voucher {stock.voucher_id} in the card pack: 商家券 stock {stock.stock_id or '-'} "
            f"({stock.status}, {stock.codes_uploaded} codes uploaded) - as staff:"
        )
        lines.append(
            f'     {{ voucherCoupon(voucherId: "{stock.voucher_id}") '
            "{ status stocks { stockId status codesUploaded } } }"
        )
    lines.append(
        "  Own Official Accounts of the demo storefronts: "
        + ", ".join(f"{slug} -> {app}" for slug, app in wechat.storefront_apps.items())
    )
    return lines


def _name(uid: int) -> str:
    return next(name for user, name, *_ in NETWORK if user == uid)
