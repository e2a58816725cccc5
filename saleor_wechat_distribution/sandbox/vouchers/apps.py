from django.apps import AppConfig


class SandboxVouchersConfig(AppConfig):
    name = "saleor_wechat_distribution.sandbox.vouchers"
    label = "wd_sandbox_vouchers"
    verbose_name = "Sandbox vouchers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ... import host
        from ..categories import SandboxCategoryCatalog
        from ..channels import sandbox_channels
        from .source import SandboxVoucherSource

        # the sandbox's part of the host registry (host.py); the rest comes from Django settings
        host.fill_defaults(
            voucher_source=SandboxVoucherSource(),
            channel_list=sandbox_channels,
            category_catalog=SandboxCategoryCatalog(),
        )
