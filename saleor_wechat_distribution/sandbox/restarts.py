"""The simulated WeChat is new at every start (fresh fakes on fresh ports), while the sandbox's database
keeps what it learnt from the last one. What the database remembers is handed back to the new fakes, so a
restarted sandbox goes on as if WeChat had been there all along: QR codes keep their tickets (their
pictures and scan links work again, on the new address) and 商家券 stocks exist with their codes."""

from __future__ import annotations

from ..models import CouponStock, QrCode
from ..testing.fake_wechat_mp import FakeWeChatMp
from ..testing.fake_wechatpay import FakeWeChatPay
from .vouchers.models import SandboxVoucherCode


def adopt_qr_codes(mp: FakeWeChatMp, app_ids: set[str]) -> int:
    """Tickets of the simulated accounts' stored codes, known to the new fake again (scan links moved to
    its address). Returns how many."""
    adopted = 0
    for code in QrCode.objects.filter(app_id__in=app_ids):
        key = code.url.rsplit("/q/", 1)[-1]
        url = mp.qr_url_base + key
        expires = code.expires_at.timestamp() if code.expires_at else None
        mp.qr_tickets[code.ticket] = (code.app_id, code.scene, code.permanent, expires)
        mp.qr_ticket_urls[code.ticket] = url
        if code.url != url:
            QrCode.objects.filter(pk=code.pk).update(url=url)
        adopted += 1
    return adopted


def adopt_coupon_stocks(pay: FakeWeChatPay) -> int:
    """The demo vouchers' stocks, recreated in the new fake WeChat Pay under their ids with the codes the
    database says were uploaded. Returns how many."""
    adopted = 0
    for stock in CouponStock.objects.filter(kind="busifavor").exclude(stock_id=""):
        if stock.stock_id in pay.busifavor.stocks or not stock.request:
            continue
        codes = list(
            SandboxVoucherCode.objects.filter(voucher__voucher_id=stock.voucher_id)
            .order_by("code")
            .values_list("code", flat=True)[: stock.codes_uploaded]
        )
        pay.busifavor.adopt_stock(stock.stock_id, stock.request, codes)
        adopted += 1
    return adopted
