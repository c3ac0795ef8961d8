"""``python manage.py add_compound --code CODE --name NAME --community NAME --sub-district NAME --district NAME``.

Creates missing areas (district → sub-district → community); an existing code is an error, so a
deployment script never silently reuses a compound.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.estates.services import compound_create


class Command(BaseCommand):
    help = "Create a compound, and the areas it lies in when they are missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="short code: lower-case letters, digits, dashes")
        parser.add_argument("--name", required=True, help="the compound's name, e.g. 锦绣江城")
        parser.add_argument("--community", required=True, help="the community (社区)")
        parser.add_argument("--sub-district", required=True, help="the sub-district (街道)")
        parser.add_argument("--district", required=True, help="the district (区)")

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("community", "sub_district", "district"):
            if not options[key].strip():
                raise CommandError(_("Give every area a name."))
        try:
            compound = compound_create(
                actor=None,
                code=options["code"],
                name=options["name"],
                community=options["community"],
                sub_district=options["sub_district"],
                district=options["district"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Created compound %(code)s (%(name)s).") % {"code": compound.code, "name": compound.name}
            )
        )
