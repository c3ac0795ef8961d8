"""Every role in the world × every mediation and security-linkage action and read.

A case of compound A is opened by the grid worker (who becomes its mediator) between household A-101 (the
world's resident lives there) and household A-102 (the applicant's binding is not approved). Only its parties,
its mediators and the community secretary see it; mediators and the secretary manage it; nobody else — not other
community staff, not the police or lawyers until assigned, not supervisors, not the superuser — sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.mediation import selectors, services
from gongzhi.mediation.models import Capacity, Case, Outcome, PartyKind
from gongzhi.testing.mediation_factories import closed_with_agreement, later, open_case, signed
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db

OPENERS = {"secretary", "grid_worker", "community_staff"}
MANAGERS = {"secretary", "grid_worker"}  # the secretary and the case's mediator (the grid worker opened it)
VIEWERS = MANAGERS | {"resident"}  # … and the resident of household A-101, a party
REPORTERS = {"property_manager", "customer_service", "technician"}

EXPECTED: dict[str, set[str]] = {
    "case_open": OPENERS,
    "case_from_voice": OPENERS,
    "party_add": MANAGERS,
    "mediator_assign": MANAGERS,
    "mediator_remove": MANAGERS,
    "evidence_add": VIEWERS,
    "session_schedule": MANAGERS,
    "session_record": MANAGERS,
    "session_cancel": MANAGERS,
    "agreement_record": MANAGERS,
    "agreement_sign": MANAGERS,
    "case_close": MANAGERS,
    "follow_up_record": MANAGERS,
    "case_reopen": MANAGERS,
    "view_case": VIEWERS,
    "list_case": VIEWERS,
    "view_company_case": MANAGERS | {"property_manager", "customer_service"},
    "view_case_as_assigned_officer": MANAGERS | {"resident", "officer"},
    "access_log": {"secretary"},
    "figures": {"secretary"},
    "policy_set": {"secretary"},
    "incident_report": REPORTERS,
    "view_incident": REPORTERS | {"officer"},
    "incident_acknowledge": {"officer"},
    "incident_close": {"officer"},
}


def _photo() -> SimpleUploadedFile:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("leak.png", out.getvalue(), content_type="image/png")


def _actions(world: Any) -> dict[str, Callable[[Any], Any]]:
    u = world.users
    secretary = u["secretary"]
    case = open_case(world)
    company_case = open_case(world, parties=[services.PartyInput(kind=PartyKind.COMPANY)], title="物业费争议")
    officer_case = open_case(world, title="停车纠纷")
    services.mediator_assign(actor=secretary, case=officer_case, user_id=u["officer"].pk, capacity=Capacity.OFFICER)
    parties = list(case.parties.values_list("pk", flat=True))
    station = world.orgs["police"]

    def fresh() -> Case:
        return open_case(world)

    def scheduled() -> tuple[Case, int]:
        c = fresh()
        s = services.session_schedule(actor=secretary, case=c, starts_at=later(3), place="调解室", invited=parties[:0])
        return c, s.pk

    def draft() -> Case:
        c = fresh()
        services.agreement_record(actor=secretary, case=c, terms="双方和解")
        return c

    def broken() -> Case:
        c = closed_with_agreement(world)
        services.follow_up_record(actor=secretary, case=c, kept=False)
        return c

    def incident() -> Any:
        return services.incident_report(
            actor=u["customer_service"],
            compound=world.compound_a,
            station_id=station.pk,
            kind="theft",
            description="车库电瓶车被盗",
            place="地下车库",
            occurred_at=later(0, 0),
        )

    def acknowledged() -> Any:
        i = incident()
        return services.incident_acknowledge(actor=u["officer"], incident=i)

    def must(found: Any) -> None:
        if not found:
            raise NotFound("not there")

    reported = incident()
    services.case_view_record(actor=u["resident"], case=case)

    return {
        "case_open": lambda a: open_case_as(world, a),
        "case_from_voice": lambda a: services.case_from_voice(
            actor=a,
            voice_id=VoiceFactory.create(compound=world.compound_a, author=u["resident"]).pk,
            case_type="noise",
            title="夜间噪音",
        ),
        "party_add": lambda a: services.party_add(
            actor=a, case=fresh(), party=services.PartyInput(kind=PartyKind.COMPANY)
        ),
        "mediator_assign": lambda a: services.mediator_assign(
            actor=a, case=fresh(), user_id=u["lawyer"].pk, capacity=Capacity.LAWYER
        ),
        "mediator_remove": lambda a: (
            lambda c: services.mediator_remove(actor=a, case=c, mediator_id=c.mediators.get().pk)
        )(fresh()),
        "evidence_add": lambda a: services.evidence_add(actor=a, case=case, upload=_photo()),
        "session_schedule": lambda a: services.session_schedule(
            actor=a, case=fresh(), starts_at=later(2), place="社区调解室", invited=[]
        ),
        "session_record": lambda a: (
            lambda cs: services.session_record(actor=a, case=cs[0], session_id=cs[1], notes="达成一致")
        )(scheduled()),
        "session_cancel": lambda a: (
            lambda cs: services.session_cancel(actor=a, case=cs[0], session_id=cs[1], reason="改期")
        )(scheduled()),
        "agreement_record": lambda a: services.agreement_record(actor=a, case=fresh(), terms="双方和解"),
        "agreement_sign": lambda a: services.agreement_sign(actor=a, case=draft()),
        "case_close": lambda a: services.case_close(actor=a, case=fresh(), outcome=Outcome.WITHDRAWN),
        "follow_up_record": lambda a: services.follow_up_record(actor=a, case=closed_with_agreement(world), kept=True),
        "case_reopen": lambda a: services.case_reopen(actor=a, case=broken(), reason="协议未履行"),
        "view_case": lambda a: must(selectors.case_find(user=a, pk=case.pk)),
        "list_case": lambda a: must(case in list(selectors.cases_visible(user=a))),
        "view_company_case": lambda a: must(selectors.case_find(user=a, pk=company_case.pk)),
        "view_case_as_assigned_officer": lambda a: must(selectors.case_find(user=a, pk=officer_case.pk)),
        "access_log": lambda a: must(selectors.access_log(user=a).filter(case=case).exists()),
        "figures": lambda a: must(selectors.overseen_compounds(user=a).filter(pk=world.compound_a.pk).exists()),
        "policy_set": lambda a: services.policy_set(actor=a, compound=world.compound_a, first_days=5, second_days=20),
        "incident_report": lambda a: services.incident_report(
            actor=a,
            compound=world.compound_a,
            station_id=station.pk,
            kind="disturbance",
            description="有人在小区门口打架",
            place="东门",
            occurred_at=later(0, 0),
        ),
        "view_incident": lambda a: must(selectors.incident_get(user=a, pk=reported.pk)),
        "incident_acknowledge": lambda a: services.incident_acknowledge(actor=a, incident=incident()),
        "incident_close": lambda a: services.incident_close(actor=a, incident=acknowledged(), outcome="已立案"),
    }


def open_case_as(world: Any, actor: Any) -> Case:
    house = world.house_a
    label = f"{house.building.name}{house.unit.name}{house.room}"
    return services.case_open(
        actor=actor,
        compound=world.compound_a,
        case_type="noise",
        title="装修噪音",
        description="周末早上装修",
        parties=[services.PartyInput(kind=PartyKind.HOUSEHOLD, house=label)],
    )


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    # given the world and the cases above; when every role tries the action
    run = _actions(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        allowed.add(role)
    # then exactly the expected roles may
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_every_action_has_an_expectation_and_nobody_outside_the_case_gets_in(world: Any) -> None:
    assert set(_actions(world)) == set(EXPECTED)
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    assert {
        "applicant",
        "stranger",
        "anonymous",
        "superuser",
        "sub_district_supervisor",
        "district_supervisor",
    }.isdisjoint(everyone)


def test_a_household_party_is_seen_by_its_bound_resident_only_once_approved(world: Any) -> None:
    # given a case naming household A-102, whose applicant's binding is still pending
    case = open_case(world)
    # then the applicant does not see it
    assert selectors.case_find(user=world.users["applicant"], pk=case.pk) is None
    # when the binding is approved, the applicant sees it
    from gongzhi.estates.models import BindingStatus, HouseBinding

    HouseBinding.objects.filter(user=world.users["applicant"]).update(status=BindingStatus.APPROVED)
    assert selectors.case_find(user=world.users["applicant"], pk=case.pk) == case


def test_signed_fixture_uses_today(world: Any) -> None:
    case = signed(world, open_case(world))
    assert case.agreements.get().signed_on is not None
