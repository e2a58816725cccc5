"""Where other modules plug into WeChat callback events (card / coupon events for the coupon module).

    from saleor_wechat_distribution.wechat.event_hooks import register_event_handler

    def on_card_received(event: WeChatEvent) -> str | None:   # optional reply text
        ...

    register_event_handler("user_get_card", on_card_received)

A handler runs once per event (the raw event is logged with its dedupe key first, in the same
transaction): a replay from WeChat is answered without calling it again. An event nobody handles is
answered with WeChat's empty ``success`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import host

#: the card (卡券) events a coupon module is expected to take
CARD_EVENTS = frozenset(
    {
        "card_pass_check", "card_not_pass_check", "user_get_card", "user_gifting_card", "user_del_card",
        "user_consume_card", "user_pay_from_pay_cell", "user_view_card", "user_enter_session_from_card",
        "update_member_card", "card_sku_remind", "card_pay_order", "submit_membercard_user_info",
    }
)  # fmt: skip


@dataclass(frozen=True)
class WeChatEvent:
    app_id: str
    openid: str
    #: WeChat's ``Event``, lower case ("user_get_card", ...)
    event: str
    create_time: int
    #: every field of the (decrypted) message, as WeChat sent it
    fields: dict[str, str] = field(default_factory=dict)


EventHandler = Callable[[WeChatEvent], "str | None"]


def register_event_handler(event: str, handler: EventHandler) -> None:
    """Take callback events named ``event`` (case-insensitive); one handler per event name. The handlers
    live in the host registry (``host.Host.wechat_event_handlers``), with the host's other plug-ins."""
    handlers = dict(host.current().wechat_event_handlers)
    handlers[event.lower()] = handler
    host.update(wechat_event_handlers=handlers)


def unregister_event_handler(event: str) -> None:
    handlers = dict(host.current().wechat_event_handlers)
    handlers.pop(event.lower(), None)
    host.update(wechat_event_handlers=handlers)


def event_handler_for(event: str) -> EventHandler | None:
    return host.current().wechat_event_handlers.get(event.lower())
