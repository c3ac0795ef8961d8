from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "gongzhi.finance"
    verbose_name = _("Property fees")

    def ready(self) -> None:
        # The fee ledger (物业费台账) joins the estate's ledgers: upload page, commands, worker.
        from gongzhi.estates.ledger import spec_register

        from .ledger import FEES

        spec_register(FEES)
