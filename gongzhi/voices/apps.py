from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "gongzhi.voices"
    verbose_name = _("Residents' voices")
