"""Bill generation from the page: preview → confirm → the worker (django-tasks) → the run's page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import HouseStatus
from gongzhi.finance.models import Bill
from gongzhi.testing.factories import HouseFactory

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date
# house_a and house_a2: 98.50 m², vacant, ¥2.50 at 70% → 98.50 × 2.50 × 0.7 = 172.375 → ¥172.38 a month each
MONTH_BILL = Decimal("172.38")


def _billing(world, **query):
    url = reverse("finance:billing", args=[world.compound_a.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _confirm(client, world, period, capture, execute=True):
    with capture(execute=execute):
        response = client.post(reverse("finance:billing_confirm", args=[world.compound_a.code]), {"period": period})
    return response


def test_the_preview_counts_the_new_bills_and_their_total_and_saves_nothing(world, client_for, keeper, standard):
    # given an undelivered house beside the two vacant ones
    HouseFactory.create(unit=world.house_a.unit, room="103", status=HouseStatus.UNDELIVERED, delivered_on=None)
    before = finance_state()
    # when the finance staff preview 2025-03
    response = client_for(keeper).get(_billing(world, period="2025-03"))
    # then it shows 2 new bills, their total, the house not billed, and nothing was saved
    page = response.content.decode()
    assert response.status_code == 200
    assert '<dd id="count-new">2</dd>' in page
    assert f'<dd id="total-new">¥{MONTH_BILL * 2:,.2f}</dd>' in page
    assert '<dd id="count-existing">0</dd>' in page and '<dd id="count-not-billable">1</dd>' in page
    assert 'id="confirm-generate"' in page and "Generate 2 bills for 2025-03, ¥344.76 in total?" in page
    assert "¥172.38" in page.split('id="preview-bills"')[1]
    assert finance_state() == before


def test_confirming_generates_the_bills_in_the_worker_and_the_run_page_says_so(
    world, client_for, keeper, standard, django_capture_on_commit_callbacks
):
    client = client_for(keeper)
    # when the finance staff confirm 2025-03 (the worker runs the task)
    response = _confirm(client, world, "2025-03", django_capture_on_commit_callbacks)
    # then both bills exist and the run's page reports them, with a link to them
    assert response.status_code == 302
    bills = Bill.objects.filter(period="2025-03")
    assert sorted(b.amount_due for b in bills) == [MONTH_BILL, MONTH_BILL]
    page = client.get(response["Location"]).content.decode()
    assert 'id="run-done"' in page and "2 bills for 2025-03 were created, ¥344.76 in total." in page
    assert "?period=2025-03" in page
    run = response["Location"].rstrip("/").split("/")[-1]
    verbs = list(AuditEvent.objects.filter(object_id=run).order_by("id").values_list("verb", flat=True))
    assert verbs == ["bills.generate_queue", "bills.generate_start", "bills.generate_done"]
    assert AuditEvent.objects.filter(verb="bill.generate").count() == 2


def test_generating_twice_creates_nothing_new_and_the_preview_says_so(
    world, client_for, keeper, standard, django_capture_on_commit_callbacks
):
    # given 2025 generated once
    client = client_for(keeper)
    _confirm(client, world, "2025", django_capture_on_commit_callbacks)
    assert Bill.objects.filter(period="2025").count() == 2
    # when the preview is asked again
    page = client.get(_billing(world, period="2025")).content.decode()
    # then it says nothing would be created and offers no confirmation
    assert '<dd id="count-new">0</dd>' in page and '<dd id="count-existing">2</dd>' in page
    assert 'id="nothing-new"' in page and "Generating again creates nothing new." in page
    assert 'id="confirm-generate"' not in page
    # and confirming anyway creates nothing
    before = list(Bill.objects.order_by("pk").values_list("pk", "amount_due"))
    response = _confirm(client, world, "2025", django_capture_on_commit_callbacks)
    assert list(Bill.objects.order_by("pk").values_list("pk", "amount_due")) == before
    page = client.get(response["Location"]).content.decode()
    assert "0 bills for 2025 were created" in page and "2 houses already had a bill for this period" in page


def test_houses_without_a_standard_are_listed_and_the_generation_fails_without_creating_anything(
    world, client_for, keeper, django_capture_on_commit_callbacks
):
    # given no fee standard at all
    client = client_for(keeper)
    # when the preview is asked
    page = client.get(_billing(world, period="2025-03")).content.decode()
    # then both houses are listed as without a standard and there is nothing to confirm
    missing = page.split('id="missing-houses"')[1].split("</ul>")[0]
    assert world.house_a.room in missing and world.house_a2.room in missing
    assert "2 houses have a month in this period with no fee standard in force." in page
    assert 'id="confirm-generate"' not in page
    # and a confirmation sent anyway fails in the worker, saying why, with no bill
    before = Bill.objects.count()
    response = _confirm(client, world, "2025-03", django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert 'id="run-failed"' in page and "no fee standard in force" in page and "No bill was created." in page
    assert Bill.objects.count() == before == 0


WRITE_PERIOD = "Write the period as 2025, 2025-03 or 2025Q1."


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025Q1", "A billing period is a year (2025) or a month (2025-03)."),
        ("abc", WRITE_PERIOD),
        ("2025-13", WRITE_PERIOD),
        ("1999", WRITE_PERIOD),
        ("", None),  # Django's own "required", in Chinese
    ],
)
def test_a_bad_period_is_refused_with_the_reason_and_nothing_changes(
    world, client_for, keeper, standard, django_capture_on_commit_callbacks, period, message
):
    client = client_for(keeper)
    before = finance_state()
    # when the preview and the confirmation get a bad period
    preview = client.get(_billing(world, period=period))
    confirm = _confirm(client, world, period, django_capture_on_commit_callbacks)
    # then both show the form again with the reason on the period, and nothing changed (no run queued)
    for response in (preview, confirm):
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["period"]
        assert "plan" not in response.context
        if message is not None:
            assert message in response.content.decode()
    assert finance_state() == before


def test_while_the_worker_has_not_run_the_page_polls_and_then_moves_on(
    world, client_for, keeper, standard, django_capture_on_commit_callbacks
):
    client = client_for(keeper)
    # given a confirmation whose task has not run yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("finance:billing_confirm", args=[world.compound_a.code]), {"period": "2025-04"})
    run_url = response["Location"]
    progress_url = run_url + "progress/"
    # then the run's page polls the progress, which answers with the progress card
    page = client.get(run_url).content.decode()
    assert f'hx-get="{progress_url}"' in page and "Waiting for the background worker" in page
    poll = client.get(progress_url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and 'id="run-progress"' in poll.content.decode()
    # when the worker runs it
    for callback in callbacks:
        callback()
    # then the poll sends the browser to the run's page, which reports the bills
    poll = client.get(progress_url, headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Redirect"] == run_url
    assert Bill.objects.filter(period="2025-04").count() == 2
    assert "2 bills for 2025-04 were created" in client.get(run_url).content.decode()


def test_a_run_of_another_compound_or_an_unknown_run_is_not_found(
    world, client_for, keeper, standard, django_capture_on_commit_callbacks
):
    client = client_for(keeper)
    response = _confirm(client, world, "2025-05", django_capture_on_commit_callbacks)
    run = response["Location"].rstrip("/").split("/")[-1]
    superuser = client_for(world.users["superuser"])
    assert superuser.get(reverse("finance:billing_run", args=[world.compound_b.code, run])).status_code == 404
    assert superuser.get(reverse("finance:billing_run", args=[world.compound_a.code, "0" * 32])).status_code == 404


def test_recent_runs_are_listed_on_the_billing_page(
    world, client_for, keeper, standard, django_capture_on_commit_callbacks
):
    client = client_for(keeper)
    _confirm(client, world, "2025-01", django_capture_on_commit_callbacks)
    _confirm(client, world, "2025-02", django_capture_on_commit_callbacks)
    runs = client.get(_billing(world)).content.decode().split('id="recent-runs"')[1]
    assert runs.index("2025-02") < runs.index("2025-01")
    assert runs.count("Done") == 2 and keeper.name in runs
