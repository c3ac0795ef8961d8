"""A small world with one user for every role, for authorization-matrix tests.

Two compounds in two communities of one sub-district; every staff role is attached to compound A's side,
so compound B is always out of scope for them (except the sub-district and district supervisors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongzhi.accounts.models import Organization, User
from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding, Relation

from .factories import (
    CommunityFactory,
    CompoundFactory,
    HouseFactory,
    OrganizationFactory,
    ResidentFactory,
    SubDistrictFactory,
    UserFactory,
    member,
)

# role label → (organization kind on compound A's side, role)
STAFF_ROLES: dict[str, tuple[str, str]] = {
    "secretary": (OrgKind.COMMUNITY, Role.SECRETARY),
    "grid_worker": (OrgKind.COMMUNITY, Role.GRID_WORKER),
    "community_staff": (OrgKind.COMMUNITY, Role.COMMUNITY_STAFF),
    "property_manager": (OrgKind.PROPERTY, Role.PROPERTY_MANAGER),
    "customer_service": (OrgKind.PROPERTY, Role.CUSTOMER_SERVICE),
    "technician": (OrgKind.PROPERTY, Role.TECHNICIAN),
    "finance": (OrgKind.PROPERTY, Role.FINANCE),
    "representative": (OrgKind.RESIDENTS, Role.REPRESENTATIVE),
    "liaison": (OrgKind.DEPARTMENT, Role.LIAISON),
    "officer": (OrgKind.POLICE, Role.OFFICER),
    "lawyer": (OrgKind.LAW_FIRM, Role.LAWYER),
    "sub_district_supervisor": (OrgKind.SUB_DISTRICT, Role.SUPERVISOR),
    "district_supervisor": (OrgKind.DISTRICT, Role.SUPERVISOR),
}
ALL_ROLES = [*STAFF_ROLES, "resident", "applicant", "stranger", "superuser", "anonymous"]


@dataclass
class World:
    compound_a: Compound
    compound_b: Compound
    house_a: House
    house_a2: House
    house_b: House
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User | None] = field(default_factory=dict)


def build_world() -> World:
    sub = SubDistrictFactory.create()
    community_a = CommunityFactory.create(name="A社区", parent=sub)
    community_b = CommunityFactory.create(name="B社区", parent=sub)
    property_a = OrganizationFactory.create(kind=OrgKind.PROPERTY, name="A物业")
    compound_a = CompoundFactory.create(code="aaa", name="A小区", community=community_a, property_company=property_a)
    compound_b = CompoundFactory.create(code="bbb", name="B小区", community=community_b)
    orgs: dict[str, Organization] = {
        OrgKind.COMMUNITY: OrganizationFactory.create(kind=OrgKind.COMMUNITY, name="A社区", area=community_a),
        OrgKind.PROPERTY: property_a,
        OrgKind.RESIDENTS: OrganizationFactory.create(
            kind=OrgKind.RESIDENTS, name="A小区业主代表", compound=compound_a
        ),
        OrgKind.DEPARTMENT: OrganizationFactory.create(kind=OrgKind.DEPARTMENT, name="教育局", area=sub.parent),
        OrgKind.POLICE: OrganizationFactory.create(kind=OrgKind.POLICE, name="派出所", area=sub),
        OrgKind.LAW_FIRM: OrganizationFactory.create(kind=OrgKind.LAW_FIRM, name="律所", area=sub.parent),
        OrgKind.SUB_DISTRICT: OrganizationFactory.create(kind=OrgKind.SUB_DISTRICT, name="四新街道", area=sub),
        OrgKind.DISTRICT: OrganizationFactory.create(kind=OrgKind.DISTRICT, name="汉阳区", area=sub.parent),
    }
    users: dict[str, User | None] = {}
    for label, (kind, role) in STAFF_ROLES.items():
        staff = UserFactory.create(name=label)
        users[label] = staff
        member(staff, orgs[kind], role, is_admin=role in (Role.SECRETARY, Role.PROPERTY_MANAGER))
    house_a = HouseFactory.create(
        unit__building__compound=compound_a, room="101", floor=1, owner_name="张三", owner_phone="13800000001"
    )
    house_a2 = HouseFactory.create(unit=house_a.unit, room="102", floor=1, owner_name="李四", owner_phone="13800000002")
    house_b = HouseFactory.create(unit__building__compound=compound_b, room="101", floor=1)
    resident = UserFactory.create(name="resident")
    HouseBinding.objects.create(
        community=community_a,
        compound=compound_a,
        house=house_a,
        user=resident,
        relation=Relation.OWNER,
        status=BindingStatus.APPROVED,
    )
    ResidentFactory.create(house=house_a, user=resident, name="resident", relation=Relation.OWNER)
    applicant = UserFactory.create(name="applicant")
    HouseBinding.objects.create(
        community=community_a, compound=compound_a, house=house_a2, user=applicant, relation=Relation.OWNER
    )
    users["resident"] = resident
    users["applicant"] = applicant
    users["stranger"] = UserFactory.create(name="stranger")
    users["superuser"] = UserFactory.create(name="superuser", is_superuser=True, is_staff=True)
    users["anonymous"] = None
    return World(compound_a, compound_b, house_a, house_a2, house_b, orgs, users)
