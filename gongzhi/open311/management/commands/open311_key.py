"""``python manage.py open311_key create --compound CODE --name NAME`` prints a new Open311 key.

Also ``list [--compound CODE]`` and ``revoke ID``. The key is printed once, alone on standard output (so a
script can capture it); what it is for goes to standard error. Only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.estates.models import Compound
from gongzhi.open311.models import Open311Key
from gongzhi.open311.services import open311_key_create, open311_key_revoke


class Command(BaseCommand):
    help = "Create, list or revoke the Open311 keys with which outside systems raise voices in a compound."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it (once)")
        create.add_argument("--compound", required=True, help="the compound's code (the jurisdiction_id)")
        create.add_argument("--name", required=True, help="who or which system uses the key")
        listing = actions.add_parser(
            "list", help="list keys, tab separated: id, compound, prefix, active/revoked, last used, name"
        )
        listing.add_argument("--compound", default="", help="only this compound's keys")
        revoke = actions.add_parser("revoke", help="revoke a key by its id (see list)")
        revoke.add_argument("key_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["compound"], options["name"])
        elif action == "list":
            self._list(options["compound"])
        else:
            self._revoke(options["key_id"])

    def _compound(self, code: str) -> Compound:
        compound = Compound.objects.filter(code=code.strip().lower()).first()
        if compound is None:
            raise CommandError(_("No compound with code %(code)s.") % {"code": code})
        return compound

    def _create(self, code: str, name: str) -> None:
        compound = self._compound(code)
        try:
            key, raw = open311_key_create(actor=None, compound=compound, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(
            _("Open311 key %(id)d “%(name)s” for %(compound)s (jurisdiction_id %(code)s). It is shown only now:")
            % {"id": key.pk, "name": key.name, "compound": compound.name, "code": compound.code}
        )
        self.stdout.write(raw)

    def _list(self, code: str) -> None:
        keys = Open311Key.objects.select_related("compound").order_by("compound__code", "-created_at")
        if code:
            keys = keys.filter(compound=self._compound(code))
        for key in keys:
            state = "revoked" if key.revoked_at else "active"  # a fixed word: scripts read this list
            used = f"{timezone.localtime(key.last_used_at):%Y-%m-%d %H:%M}" if key.last_used_at else "-"
            self.stdout.write(f"{key.pk}\t{key.compound.code}\t{key.prefix}…\t{state}\t{used}\t{key.name}")

    def _revoke(self, key_id: int) -> None:
        key = Open311Key.objects.filter(pk=key_id).first()
        if key is None:
            raise CommandError(_("No Open311 key with id %(id)d.") % {"id": key_id})
        try:
            open311_key_revoke(actor=None, key=key)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(_("Revoked Open311 key %(id)d “%(name)s”.") % {"id": key.pk, "name": key.name})
