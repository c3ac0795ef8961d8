from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    verbose_name = _("Dispute mediation")
