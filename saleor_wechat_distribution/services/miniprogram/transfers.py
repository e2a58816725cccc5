"""Confirming a 商家转账 transfer from the Mini Program: ``wx.requestMerchantTransfer`` with the merchant
id, the Mini Program's app id and the transfer's ``package``. WeChat accepts it only for a transfer made
to the Mini Program's openid with its app id (a withdrawal requested with ``miniProgram: true``); one
made to the Official Account's openid is confirmed in the H5 center instead (``center.transfer_package``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError
from ...domain.miniprogram import MiniProgramErrorCode as Code
from ...models import Distributor, Withdrawal
from ..center import TransferPackage, transfer_package
from .common import settings_required


def mini_program_transfer_package(*, distributor: Distributor, withdrawal_id: int) -> TransferPackage:
    withdrawal = Withdrawal.objects.filter(pk=withdrawal_id, distributor=distributor).first()
    if withdrawal is None:
        raise DistributionError(Code.NOT_FOUND, _("No such withdrawal."), field="id")
    settings = settings_required(withdrawal.channel)
    if withdrawal.app_id != settings.app_id:
        raise DistributionError(
            Code.TRANSFER_APP_MISMATCH,
            _("This transfer was made for the Official Account: confirm it in the WeChat shop pages."),
            field="id",
        )
    try:
        return transfer_package(distributor=distributor, withdrawal_id=withdrawal_id)
    except DistributionError as error:  # the center's codes, as this API's
        code = Code.INVALID_STATUS if error.code.name == "INVALID_STATUS" else Code.PAYOUT_NOT_CONFIGURED
        raise DistributionError(code, error.message, field=error.field) from None
