from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "gongzhi.finance"
    verbose_name = _("Property fees")
