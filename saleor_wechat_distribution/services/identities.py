"""WeChat identities: follows, QR scans, web OAuth, and linking an identity to the host's customer.

An identity is (app id, openid): the same buyer has another openid on every account. Bindings made for
an identity (``wx:<app id>:<openid>``) are merged into the customer's (``user:<id>``) when they log in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..conf import get_official_account_gateway
from ..domain.distributors import DistributorStatus, normalize_referral_code
from ..domain.referrals import AttributionSource, BindingTrigger, identity_customer_key, user_customer_key
from ..models import (
    BindingChange,
    CustomerBinding,
    Distributor,
    OfficialAccount,
    QrCode,
    Storefront,
    WeChatIdentity,
)
from ..ports import WeChatApiError, WeChatUnreachable
from .bindings import binding_state, customer_keys, would_loop
from .official_accounts import account_credentials
from .referrals import referral_touch

OPENID_MAX_LENGTH = 64


def _identity_upsert(*, app_id: str, openid: str, **values: object) -> WeChatIdentity:
    try:
        with transaction.atomic():
            identity, created = WeChatIdentity.objects.get_or_create(
                app_id=app_id, openid=openid, defaults=values
            )
    except IntegrityError:
        identity, created = WeChatIdentity.objects.get(app_id=app_id, openid=openid), False
    if not created and values:
        WeChatIdentity.objects.filter(pk=identity.pk).update(**values, updated_at=timezone.now())
        identity.refresh_from_db()
    return identity


def distributor_for_scene(scene: str) -> Distributor | None:
    """The active distributor a QR scene names (the scene is the referral code), or None."""
    code = normalize_referral_code(scene or "")
    if not code or len(code) > 64:
        return None
    return Distributor.objects.filter(referral_code=code, status=DistributorStatus.ACTIVE).first()


def channel_of_account(account: OfficialAccount) -> str | None:
    return account.storefront.channel if account.storefront_id else None


@dataclass(frozen=True)
class ScanOutcome:
    distributor: Distributor
    bound: bool
    storefront: Storefront | None


def identity_qr_scan(
    *,
    account: OfficialAccount,
    openid: str,
    scene: str,
    follow: bool,
    ticket: str = "",
    now: datetime | None = None,
) -> ScanOutcome | None:
    """A ``subscribe`` (``follow``) or ``SCAN`` carrying a distributor's code: count it on the code's
    funnel, remember the follow, and bind the identity (source QR). None when the scene names no active
    distributor or the account serves no channel: then nothing is written."""
    now = now or timezone.now()
    distributor = distributor_for_scene(scene)
    channel = channel_of_account(account)
    if distributor is None or channel is None or not openid or len(openid) > OPENID_MAX_LENGTH:
        return None
    with transaction.atomic():
        values: dict[str, object] = {"subscribe_scene": distributor.referral_code}
        if follow:
            values |= {"subscribed": True, "subscribed_at": now}
        identity = _identity_upsert(app_id=account.app_id, openid=openid, **values)
        keys = customer_keys(user_id=identity.user_id, identities=[(account.app_id, openid)])
        bound = referral_touch(
            channel=channel,
            keys=keys,
            distributor=distributor,
            source=AttributionSource.QR,
            event=BindingTrigger.FIRST_CLICK,
            now=now,
        )
        counters = {"scans": F("scans") + 1}
        if follow:
            counters["follows"] = F("follows") + 1
        if bound:
            counters["bindings"] = F("bindings") + 1
        # the event's Ticket names the code scanned; an old (regenerated) ticket counts for the current
        # temporary code of the scene
        codes = QrCode.objects.filter(app_id=account.app_id, scene=distributor.referral_code)
        by_ticket = codes.filter(ticket=ticket) if ticket else codes.none()
        (by_ticket if by_ticket.exists() else codes.filter(permanent=False)).update(**counters)
    return ScanOutcome(distributor=distributor, bound=bound, storefront=account.storefront)


def identity_subscribe(*, app_id: str, openid: str, now: datetime | None = None) -> WeChatIdentity | None:
    """A follow without a QR scene (search, article...)."""
    if not openid or len(openid) > OPENID_MAX_LENGTH:
        return None
    now = now or timezone.now()
    return _identity_upsert(app_id=app_id, openid=openid, subscribed=True, subscribed_at=now)


def identity_unsubscribe(*, app_id: str, openid: str, now: datetime | None = None) -> bool:
    """An unfollow; an openid we never saw is ignored (nothing written)."""
    return bool(
        WeChatIdentity.objects.filter(app_id=app_id, openid=openid).update(
            subscribed=False, unsubscribed_at=now or timezone.now(), updated_at=timezone.now()
        )
    )


def identity_profile_apply(*, account: OfficialAccount, openid: str, info: dict) -> ScanOutcome | None:
    """``user/info`` answered: keep the unionid, and recover the QR scene of a follow whose event was
    lost (``subscribe_scene`` ADD_SCENE_QR_CODE with ``qr_scene_str``)."""
    identity = WeChatIdentity.objects.filter(app_id=account.app_id, openid=openid).first()
    if identity is None:
        return None
    unionid = str(info.get("unionid") or "")[:64]
    if unionid and unionid != identity.unionid:
        WeChatIdentity.objects.filter(pk=identity.pk).update(unionid=unionid, updated_at=timezone.now())
    scene = str(info.get("qr_scene_str") or "")
    if info.get("subscribe_scene") == "ADD_SCENE_QR_CODE" and scene and not identity.subscribe_scene:
        return identity_qr_scan(account=account, openid=openid, scene=scene, follow=False)
    return None


def identity_link_customer(*, app_id: str, openid: str, user_id: int, unionid: str = "") -> WeChatIdentity:
    """The customer logged in with this identity (web OAuth): link them, and merge the identity's
    bindings into the customer's key where the customer has no valid binding of their own."""
    now = timezone.now()
    with transaction.atomic():
        values: dict[str, object] = {"user_id": user_id}
        if unionid:
            values["unionid"] = unionid[:64]
        identity = _identity_upsert(app_id=app_id, openid=openid, **values)
        user_key = user_customer_key(user_id)
        for binding in CustomerBinding.objects.select_for_update().filter(
            customer_key=identity_customer_key(app_id, openid)
        ):
            state = binding_state(binding)
            if not state.is_valid(now) or would_loop(keys=[user_key], distributor=binding.distributor):
                continue
            existing = (
                CustomerBinding.objects.select_for_update()
                .filter(channel=binding.channel, customer_key=user_key)
                .first()
            )
            if existing is not None and binding_state(existing).is_valid(now):
                continue  # the customer's own binding stands
            fields = {
                "distributor_id": binding.distributor_id,
                "source": binding.source,
                "code": binding.code,
                "bound_at": binding.bound_at,
                "expires_at": binding.expires_at,
                "protected_until": binding.protected_until,
            }
            previous = existing.distributor_id if existing else None
            if existing is None:
                merged = CustomerBinding.objects.create(
                    channel=binding.channel, customer_key=user_key, **fields
                )
            else:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save()
                merged = existing
            BindingChange.objects.create(
                binding=merged,
                from_distributor_id=previous,
                to_distributor_id=binding.distributor_id,
                source=binding.source,
                code=binding.code,
            )
    return identity


def identity_profile_refresh(*, app_id: str, openid: str) -> bool:
    """Fetch ``user/info`` (Celery, after a follow) and apply it; False when there is nothing to do."""
    account = OfficialAccount.objects.select_related("storefront").filter(app_id=app_id).first()
    if account is None or account.status != OfficialAccount.Status.ACTIVE:
        return False
    try:
        info = get_official_account_gateway().user_info(account_credentials(account), openid=openid)
    except WeChatUnreachable:
        raise  # let Celery retry
    except WeChatApiError:
        return False
    identity_profile_apply(account=account, openid=openid, info=info)
    return True
