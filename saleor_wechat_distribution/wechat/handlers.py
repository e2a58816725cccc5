"""What WeChat callback messages do, once verified (wechat/callbacks.py).

Every message that changes something is logged raw (``InboundEvent``, dedupe key = the MsgId, else a
digest of the event's fields) and processed in the same transaction by ``services.inbound_events``, so
WeChat's retries change nothing twice. A message that would change nothing (a scene naming no
distributor, an unfollow by an unknown openid, an event nobody handles) is answered with ``success`` and
writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from wechatpy.replies import TextReply

from ..domain.inbound_events import InboundSource
from ..domain.storefronts import CallbackEvent, scene_of_event_key
from ..jobs import enqueue
from ..models import ComponentTicket, OfficialAccount, Storefront
from ..selectors.storefronts import identity_get, storefront_of_distributor
from ..services.identities import (
    channel_of_account,
    distributor_for_scene,
    identity_qr_scan,
    identity_subscribe,
    identity_unsubscribe,
)
from ..services.inbound_events import inbound_event_apply_once
from ..services.notifications import notification_job_finished, notification_job_known
from ..services.official_accounts import official_account_unauthorized
from ..task_names import WECHAT_ACCOUNT_AUTHORIZED, WECHAT_IDENTITY_REFRESH
from .event_hooks import WeChatEvent, event_handler_for

logger = logging.getLogger(__name__)

#: what an action returns: (changed anything, reply text or None)
Outcome = tuple[bool, str | None]


def _dedupe_key(account: OfficialAccount, message: dict[str, str]) -> str:
    """WeChat retries a message unchanged: the MsgId of a message, else a digest of every field of an
    event (two card events of one user in the same second differ in their card code, so both count)."""
    if message.get("MsgId"):
        return f"mp:{account.app_id}:msg:{message['MsgId']}"[:160]
    digest = hashlib.sha256(json.dumps(sorted(message.items()), ensure_ascii=False).encode()).hexdigest()
    return f"mp:{account.app_id}:event:{digest}"


def _once(
    account: OfficialAccount, message: dict[str, str], raw: bytes, query: dict, action: Callable[[], Outcome]
) -> str | None:
    """Log the message raw and run ``action`` once; if the action changed nothing, neither is kept."""
    applied = inbound_event_apply_once(
        source=InboundSource.OFFICIAL_ACCOUNT, key=_dedupe_key(account, message), headers=query, body=raw,
        apply=action, keep=lambda outcome: outcome[0],
    )  # fmt: skip
    return None if applied.result is None else applied.result[1]


def _text_reply(message: dict[str, str], text: str) -> str:
    """A text reply; wechatpy puts the content in CDATA unescaped, so a "]]>" (a title a distributor typed)
    is split across two CDATA sections instead of closing it."""
    safe = text.replace("]]>", "]]]]><![CDATA[>")
    return TextReply(
        source=message.get("ToUserName", ""), target=message.get("FromUserName", ""), content=safe
    ).render()


def _welcome(storefront: Storefront | None, message: dict[str, str]) -> str | None:
    if storefront is None:
        return None
    with override("zh-hans"):
        text = storefront.welcome_text or _("Welcome to %(title)s!") % {"title": storefront.title}
        if storefront.welcome_text and storefront.title not in text:
            text = f"{storefront.title}: {text}"
    return _text_reply(message, text)


def handle_message(
    *, account: OfficialAccount, message: dict[str, str], raw: bytes, query: dict
) -> str | None:
    """The reply XML (plain; the view encrypts it in safe mode), or None for ``success``."""
    if message.get("MsgType") != "event":
        return None
    event = message.get("Event", "")
    openid = message.get("FromUserName", "")
    if event in (CallbackEvent.SUBSCRIBE, CallbackEvent.SCAN):
        scene = scene_of_event_key(event, message.get("EventKey", ""))
        if scene:
            distributor = distributor_for_scene(scene)
            if distributor is None or channel_of_account(account) is None:
                return None  # a scene naming no distributor: nothing written

            def scanned() -> Outcome:
                outcome = identity_qr_scan(
                    account=account,
                    openid=openid,
                    scene=scene,
                    follow=event == CallbackEvent.SUBSCRIBE,
                    ticket=message.get("Ticket", ""),
                )
                if outcome is None:
                    return False, None
                if event == CallbackEvent.SUBSCRIBE:  # user/info: the unionid (the person's other identities)
                    enqueue(WECHAT_IDENTITY_REFRESH, account.app_id, openid)
                storefront = storefront_of_distributor(distributor=outcome.distributor) or account.storefront
                return True, _welcome(storefront, message)

            return _once(account, message, raw, query, scanned)
        if event == CallbackEvent.SCAN:
            return None

        def followed() -> Outcome:
            identity = identity_subscribe(app_id=account.app_id, openid=openid)
            if identity is None:
                return False, None
            # slow: user/info for the unionid, and the QR scene when the event lost it
            enqueue(WECHAT_IDENTITY_REFRESH, account.app_id, openid)
            return True, _welcome(account.storefront, message)

        return _once(account, message, raw, query, followed)
    if event == CallbackEvent.UNSUBSCRIBE:
        if identity_get(app_id=account.app_id, openid=openid) is None:
            return None

        def unfollowed() -> Outcome:
            return identity_unsubscribe(app_id=account.app_id, openid=openid), None

        return _once(account, message, raw, query, unfollowed)
    if event == CallbackEvent.TEMPLATE_SEND_JOB_FINISH:
        msgid = message.get("MsgID", "")
        if not (msgid.isascii() and msgid.isdigit()) or not notification_job_known(
            app_id=account.app_id, msgid=int(msgid)
        ):
            return None
        finish = {**message, "MsgId": f"finish-{msgid}"}

        def finished() -> Outcome:
            status = message.get("Status", "")
            return notification_job_finished(app_id=account.app_id, msgid=int(msgid), status=status), None

        return _once(account, finish, raw, query, finished)
    handler = event_handler_for(event)
    if handler is None:
        return None
    try:
        create_time = int(message.get("CreateTime") or 0)
    except ValueError:
        create_time = 0
    hooked = WeChatEvent(
        app_id=account.app_id,
        openid=openid,
        event=event.lower(),
        create_time=create_time,
        fields=dict(message),
    )

    def dispatched() -> Outcome:
        text = handler(hooked)
        return True, (_text_reply(message, text) if text else None)

    return _once(account, message, raw, query, dispatched)


#: the Open Platform's notice carrying its verify ticket (the others name an authorizer)
TICKET_NOTICE = "component_verify_ticket"


def handle_component_notice(*, message: dict[str, str], raw: bytes, query: dict) -> None:
    """A verified Open Platform notice. The ticket is the component's (``ComponentTicket``: App mode's
    registry, read by every instance using the component); an authorizer's notice acts on the account in
    scope (App mode: the instance holding it, ``app/wechat_routes.py``)."""
    info_type = message.get("InfoType", "")
    component_app_id = message.get("AppId", "")
    if info_type == TICKET_NOTICE:
        ticket = message.get("ComponentVerifyTicket", "")
        if ticket:
            ComponentTicket.objects.update_or_create(
                component_app_id=component_app_id, defaults={"ticket": ticket, "received_at": timezone.now()}
            )
        return
    app_id = message.get("AuthorizerAppid", "")
    if not app_id or not OfficialAccount.objects.filter(app_id=app_id).exists():
        return  # an account we do not hold: the completion mutation binds it
    key = f"component:{component_app_id}:{info_type}:{app_id}:{message.get('CreateTime', '')}"

    def apply() -> None:
        if info_type == "unauthorized":
            official_account_unauthorized(app_id=app_id)
        elif info_type in ("authorized", "updateauthorized"):
            enqueue(WECHAT_ACCOUNT_AUTHORIZED, app_id, message.get("AuthorizationCode", ""))

    inbound_event_apply_once(
        source=InboundSource.OPEN_PLATFORM, key=key, headers=query, body=raw, apply=apply
    )
