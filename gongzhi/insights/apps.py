from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "gongzhi.insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        """Register the KPIs: the first apps' here, every other app's from its own ``kpis.py`` (registry.py)."""
        from django.utils.module_loading import autodiscover_modules

        from . import definitions  # noqa: F401

        autodiscover_modules("kpis")
