"""Legacy 卡券 card events from Official Account callbacks, handed to the coupon services."""

from __future__ import annotations

from ..services.coupons.card_pack import coupon_card_event
from .event_hooks import WeChatEvent, register_event_handler

#: the card events that move a linked legacy card: taken into the card pack, deleted, used in a store
HANDLED = ("user_get_card", "user_del_card", "user_consume_card")


def on_card_event(event: WeChatEvent) -> None:
    coupon_card_event(
        app_id=event.app_id,
        openid=event.openid,
        event=event.event,
        card_id=event.fields.get("CardId", ""),
        code=event.fields.get("UserCardCode", ""),
    )


def register_card_event_handlers() -> None:
    for name in HANDLED:
        register_event_handler(name, on_card_event)
