"""Demo organizations and one log-in per role (all share DEMO_PASSWORD)."""

from __future__ import annotations

from dataclasses import dataclass

from gongzhi.accounts.roles import OrgKind, Role

DEMO_PASSWORD = "gongzhi-demo-2026"


@dataclass(frozen=True)
class DemoOrg:
    key: str
    kind: str
    name: str
    area: str | None = None  # "district" / "sub_district" / "community" / "community_peer"
    compound: str | None = None


@dataclass(frozen=True)
class DemoUser:
    phone: str
    name: str
    org: str | None
    role: str | None
    label: str
    is_admin: bool = False


ORGS = [
    DemoOrg("district", OrgKind.DISTRICT, "汉阳区", area="district"),
    DemoOrg("sub_district", OrgKind.SUB_DISTRICT, "洲头街道", area="sub_district"),
    DemoOrg("community", OrgKind.COMMUNITY, "新五里社区", area="community"),
    DemoOrg("community_peer", OrgKind.COMMUNITY, "江欣苑社区", area="community_peer"),
    DemoOrg("property", OrgKind.PROPERTY, "招商物业江山和樾项目部"),
    DemoOrg("property_peer1", OrgKind.PROPERTY, "锦程物业"),
    DemoOrg("property_peer2", OrgKind.PROPERTY, "汉江物业"),
    DemoOrg("residents", OrgKind.RESIDENTS, "江山和樾业主代表", compound="jshy"),
    DemoOrg("education", OrgKind.DEPARTMENT, "汉阳区教育局", area="district"),
    DemoOrg("transport", OrgKind.DEPARTMENT, "汉阳区交通运输局", area="district"),
    DemoOrg("city_management", OrgKind.DEPARTMENT, "汉阳区城管局", area="district"),
    DemoOrg("police", OrgKind.POLICE, "洲头派出所", area="sub_district"),
    DemoOrg("law_firm", OrgKind.LAW_FIRM, "汉阳社区法律服务律师事务所", area="district"),
]

USERS = [
    DemoUser("13800000000", "系统管理员", None, None, "superuser"),
    DemoUser("13800000001", "定书记", "community", Role.SECRETARY, "community secretary", is_admin=True),
    DemoUser("13800000002", "网格员小王", "community", Role.GRID_WORKER, "grid worker"),
    DemoUser("13800000003", "社区干事李", "community", Role.COMMUNITY_STAFF, "community staff"),
    DemoUser("13800000011", "物业经理陈", "property", Role.PROPERTY_MANAGER, "property manager", is_admin=True),
    DemoUser("13800000012", "客服小刘", "property", Role.CUSTOMER_SERVICE, "customer service"),
    DemoUser("13800000013", "维修师傅赵", "property", Role.TECHNICIAN, "technician"),
    DemoUser("13800000014", "财务周", "property", Role.FINANCE, "finance"),
    DemoUser("13800000021", "业主代表孙", "residents", Role.REPRESENTATIVE, "residents' representative"),
    DemoUser("13800000031", "教育局联络员", "education", Role.LIAISON, "department liaison (education)", True),
    DemoUser("13800000032", "交通局联络员", "transport", Role.LIAISON, "department liaison (transport)", True),
    DemoUser("13800000033", "城管局联络员", "city_management", Role.LIAISON, "department liaison (city mgmt)", True),
    DemoUser("13800000041", "社区民警吴", "police", Role.OFFICER, "police officer", is_admin=True),
    DemoUser("13800000051", "律师郑", "law_firm", Role.LAWYER, "lawyer", is_admin=True),
    DemoUser("13800000061", "街道督导冯", "sub_district", Role.SUPERVISOR, "sub-district supervisor", True),
    DemoUser("13800000071", "区督导何", "district", Role.SUPERVISOR, "district supervisor", is_admin=True),
    DemoUser("13800000101", "业主张女士", None, None, "resident (approved owner)"),
    DemoUser("13800000102", "新住户林先生", None, None, "resident (binding pending)"),
]
