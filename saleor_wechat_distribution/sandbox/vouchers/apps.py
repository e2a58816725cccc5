from django.apps import AppConfig


class SandboxVouchersConfig(AppConfig):
    name = "saleor_wechat_distribution.sandbox.vouchers"
    label = "wd_sandbox_vouchers"
    verbose_name = "Sandbox vouchers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ... import conf
        from .source import SandboxVoucherSource

        if not conf.has_voucher_source():
            conf.set_voucher_source(SandboxVoucherSource())
