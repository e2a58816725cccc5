"""A 小程序码 was scanned: the Mini Program's page opens with ``options.scene`` and asks us what it means
(``referralSceneResolve``). The scan counts on the code's funnel and binds the signed-in customer (and
their identities in the Mini Program) like an Official Account QR scan: source QR, first-click trigger,
under the channel's binding policy. A distributor's own scan binds nobody."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from ...domain.distributors import DistributorStatus
from ...domain.errors import DistributionError
from ...domain.miniprogram import MiniProgramErrorCode as Code
from ...domain.miniprogram import clean_scene
from ...domain.referrals import AttributionSource, BindingTrigger
from ...models import MiniProgramCode, WeChatIdentity
from ...ports import Principal
from ..bindings import customer_keys
from ..referrals import referral_touch


@dataclass(frozen=True)
class SceneResolved:
    code: MiniProgramCode
    bound: bool


def referral_scene_resolve(*, principal: Principal, scene: str) -> SceneResolved:
    cleaned = clean_scene(scene)
    if cleaned is None:
        raise DistributionError(Code.INVALID, _("Invalid scene."), field="scene")
    code = MiniProgramCode.objects.select_related("distributor").filter(scene=cleaned).first()
    if code is None or code.distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(
            Code.SCENE_UNKNOWN, _("This code is unknown or its distributor is not active."), field="scene"
        )
    bound = False
    with transaction.atomic():
        counters = {"scans": F("scans") + 1}
        user_id = principal.user_id if principal.is_authenticated else None
        if user_id is not None and code.distributor.user_id != user_id:
            identities = WeChatIdentity.objects.filter(app_id=code.app_id, user_id=user_id).values_list(
                "app_id", "openid"
            )
            bound = referral_touch(
                channel=code.channel,
                keys=customer_keys(user_id=user_id, identities=list(identities)),
                distributor=code.distributor,
                source=AttributionSource.QR,
                event=BindingTrigger.FIRST_CLICK,
            )
            if bound:
                counters["bindings"] = F("bindings") + 1
        MiniProgramCode.objects.filter(pk=code.pk).update(**counters)
    return SceneResolved(code=code, bound=bound)
