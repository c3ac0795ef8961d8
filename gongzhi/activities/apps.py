from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "gongzhi.activities"
    verbose_name = _("Activities and care of vacant homes")
