from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "gongzhi.voices"
    verbose_name = _("Residents' voices")

    def ready(self) -> None:
        # The work-order ledger (工单台账) joins the estate's ledgers: upload page, commands, worker.
        from gongzhi.estates.ledger import spec_register

        from .ledger import WORKORDERS

        spec_register(WORKORDERS)
