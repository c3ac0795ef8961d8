"""``manage.py seed_demo``: the case compound, its peers, the organizations and a log-in for every role.

Idempotent: what exists is kept, what is missing is added; it prints the demo log-ins at the end.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.core import crypto
from gongzhi.core.audit import audit_record
from gongzhi.estates.demo.estate import CASE, PEERS, build_compound
from gongzhi.estates.demo.people import DEMO_PASSWORD, ORGS, USERS
from gongzhi.estates.models import (
    Area,
    AreaLevel,
    BindingStatus,
    Compound,
    House,
    HouseBinding,
    HouseStatus,
    Relation,
    Resident,
)


class Command(BaseCommand):
    help = "Load the demo compound of the case report, two peer compounds and a demo user for every role."

    def handle(self, *args: Any, **options: Any) -> None:
        case = self._seed()
        self._print_logins(case)  # after the commit, so the log-ins come last on the screen

    @transaction.atomic
    def _seed(self) -> Compound:
        today = timezone.localdate()
        district, _c = Area.objects.get_or_create(level=AreaLevel.DISTRICT, name="汉阳区", parent=None)
        sub, _c = Area.objects.get_or_create(level=AreaLevel.SUB_DISTRICT, name="洲头街道", parent=district)
        community, _c = Area.objects.get_or_create(level=AreaLevel.COMMUNITY, name="新五里社区", parent=sub)
        peer_community, _c = Area.objects.get_or_create(level=AreaLevel.COMMUNITY, name="江欣苑社区", parent=sub)
        areas = {"district": district, "sub_district": sub, "community": community, "community_peer": peer_community}

        orgs: dict[str, Organization] = {}
        for spec in ORGS:
            if spec.compound:
                continue
            orgs[spec.key], _c = Organization.objects.get_or_create(
                kind=spec.kind, name=spec.name, defaults={"area": areas.get(spec.area or "")}
            )

        created = []
        for spec_c, community_area, company in (
            (CASE, community, orgs["property"]),
            (PEERS[0], community, orgs["property_peer1"]),
            (PEERS[1], peer_community, orgs["property_peer2"]),
        ):
            if not Compound.objects.filter(code=spec_c.code).exists():
                build_compound(spec=spec_c, community=community_area, property_company=company, today=today)
                created.append(spec_c.code)
        case = Compound.objects.get(code=CASE.code)
        for spec in ORGS:
            if spec.compound:
                orgs[spec.key], _c = Organization.objects.get_or_create(
                    kind=spec.kind, name=spec.name, defaults={"compound": case}
                )

        users: dict[str, User] = {}
        for u in USERS:
            user = User.objects.filter(phone_hash=crypto.phone_hash(u.phone)).first()
            if user is None:
                user = User.objects.create_user(
                    u.phone,
                    DEMO_PASSWORD,
                    name=u.name,
                    is_superuser=u.label == "superuser",
                    is_staff=u.label == "superuser",
                )
            users[u.phone] = user
            if u.org and u.role:
                org = orgs[u.org]
                Membership.objects.get_or_create(
                    user=user,
                    organization=org,
                    role=u.role,
                    defaults={
                        "is_admin": u.is_admin,
                        "community_id": org.area_id if org.kind == OrgKind.COMMUNITY else None,
                    },
                )
        self._bind_demo_residents(case, users)
        from gongzhi.voices.demo import seed_voices

        seed_voices(
            compound=case,
            author=users["13800000101"],
            handler=users["13800000012"],
            convener=users["13800000001"],
            transport=orgs["transport"],
        )
        from gongzhi.finance.demo import seed_fees

        seed_fees(
            compound=case,
            keeper=users["13800000014"],
            manager=users["13800000011"],
            house=House.objects.filter(bindings__user=users["13800000101"], compound=case).first(),
        )
        from gongzhi.mediation.demo import seed_mediation

        seed_mediation(
            compound=case,
            secretary=users["13800000001"],
            grid_worker=users["13800000002"],
            officer=users["13800000041"],
            lawyer=users["13800000051"],
            reporter=users["13800000012"],
            home=House.objects.filter(bindings__user=users["13800000101"], compound=case).first(),
        )
        from gongzhi.duty.demo import seed_duty

        seed_duty(
            compound=case,
            secretary=users["13800000001"],
            officer=users["13800000041"],
            property_staff=[users["13800000012"], users["13800000013"]],
            resident=users["13800000101"],
        )
        from gongzhi.notices.demo import seed_notices

        seed_notices(compound=case, secretary=users["13800000001"], manager=users["13800000011"])
        from gongzhi.activities.demo import seed_activities

        seed_activities(
            compound=case,
            secretary=users["13800000001"],
            manager=users["13800000011"],
            technician=users["13800000013"],
            owner=users["13800000101"],
        )
        from gongzhi.meetings.demo import seed_meetings

        seed_meetings(
            compound=case,
            secretary=users["13800000001"],
            manager=users["13800000011"],
            technician=users["13800000013"],
            representative=users["13800000021"],
        )
        from gongzhi.insights.demo import seed_insights

        seed_insights(
            case=case,
            peers=[Compound.objects.get(code=p.code) for p in PEERS],
            handler=users["13800000012"],
            keeper=users["13800000014"],
            secretary=users["13800000001"],
            manager=users["13800000011"],
            technician=users["13800000013"],
            representative=users["13800000021"],
            departments={
                "教育配套": (orgs["education"], users["13800000031"]),
                "公共交通": (orgs["transport"], users["13800000032"]),
            },
        )
        if created:
            audit_record(
                actor=None,
                verb="demo.seed",
                object_type="estates.compound",
                object_id=",".join(created),
                community_id=community.id,
            )
        return case

    def _bind_demo_residents(self, case: Compound, users: dict[str, User]) -> None:
        owner = users["13800000101"]
        applicant = users["13800000102"]
        order = ("building__sort_key", "unit__sort_key", "floor", "room")
        home = House.objects.filter(compound=case, status=HouseStatus.OCCUPIED).order_by(*order).first()
        pending = House.objects.filter(compound=case, status=HouseStatus.VACANT).order_by(*order).first()
        if home and not HouseBinding.objects.filter(user=owner).exists():
            HouseBinding.objects.create(
                community_id=case.community_id,
                compound=case,
                house=home,
                user=owner,
                relation=Relation.OWNER,
                status=BindingStatus.APPROVED,
                decided_at=timezone.now(),
            )
            home.owner_name, home.owner_phone = owner.name, owner.phone
            home.owner_phone_hash = crypto.phone_hash(owner.phone)
            home.save(update_fields=["owner_name", "owner_phone", "owner_phone_hash"])
            claimed = Resident.objects.filter(house=home, user__isnull=True).order_by("id").first()
            if claimed:
                claimed.user, claimed.name, claimed.relation = owner, owner.name, Relation.OWNER
                claimed.phone, claimed.phone_hash = owner.phone, crypto.phone_hash(owner.phone)
                claimed.save()
        if pending and not HouseBinding.objects.filter(user=applicant).exists():
            HouseBinding.objects.create(
                community_id=case.community_id,
                compound=case,
                house=pending,
                user=applicant,
                relation=Relation.OWNER,
            )

    def _print_logins(self, case: Compound) -> None:
        from gongzhi.insights.kpis import occupancy_rate, permanent_residents

        today = timezone.localdate()
        rate = occupancy_rate(House.objects.filter(compound=case), today)
        people = permanent_residents(Resident.objects.filter(compound=case), today)
        self.stdout.write(
            f"\nDemo compound {case.name} ({case.code}): {rate.denominator} houses delivered, "
            f"occupancy {rate.numerator}/{rate.denominator}, {people} permanent residents today."
        )
        self.stdout.write("\nDemo log-ins (mobile / password) at http://127.0.0.1:8000/accounts/login/")
        for u in USERS:
            self.stdout.write(f"  {u.label:<34} {u.phone}  /  {DEMO_PASSWORD}")
