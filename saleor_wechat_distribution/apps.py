from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatDistributionConfig(AppConfig):
    """Saleor adds the entry point's *name* to INSTALLED_APPS, so the module path is the app name."""

    name = "saleor_wechat_distribution"
    label = "wechat_distribution"
    verbose_name = _("WeChat distribution")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers our Celery tasks in the host's app
