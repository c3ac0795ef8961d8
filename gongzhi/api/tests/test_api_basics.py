"""The API's frame: session authentication, CSRF on writes, one error format, documentation without a CDN."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_request_gets_401_in_the_error_format(client: Client) -> None:
    # when
    response = client.get("/api/accounts/me")
    # then
    assert response.status_code == 401
    assert error_of(response) == {"code": "unauthenticated", "message": "Log in first.", "field": None}


def test_anonymous_write_gets_401_not_a_csrf_error(world: Any) -> None:
    # given a client that enforces CSRF, not logged in
    client = Client(enforce_csrf_checks=True)
    before = db_state()
    # when
    response = client.post(
        "/api/estates/bindings", {"house_id": world.house_a2.pk, "relation": "owner"}, content_type="application/json"
    )
    # then
    assert response.status_code == 401
    assert db_state() == before


def test_write_without_csrf_token_is_refused_and_changes_nothing(world: Any) -> None:
    # given a logged-in browser session that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["stranger"], backend="gongzhi.accounts.backends.PhoneBackend")
    before = db_state()
    # when the write carries no CSRF token
    response = client.post(
        "/api/estates/bindings", {"house_id": world.house_a2.pk, "relation": "owner"}, content_type="application/json"
    )
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf"
    assert db_state() == before


def test_write_with_csrf_token_from_the_cookie_is_accepted(world: Any) -> None:
    # given a logged-in session with a CSRF cookie (as a page of the platform would have set)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["stranger"], backend="gongzhi.accounts.backends.PhoneBackend")
    client.get("/accounts/login/")  # the log-in page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    # when
    response = client.post(
        "/api/estates/bindings",
        {"house_id": world.house_a2.pk, "relation": "tenant"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    # then
    assert response.status_code == 201
    assert HouseBinding.objects.filter(user=world.users["stranger"], status=BindingStatus.PENDING).count() == 1


def test_reads_need_no_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["secretary"], backend="gongzhi.accounts.backends.PhoneBackend")
    assert client.get("/api/accounts/me").status_code == 200


def test_session_from_the_login_form_authenticates_the_api(world: Any, client: Client) -> None:
    # given a user who logs in through the page
    user = world.users["secretary"]
    client.post("/accounts/login/", {"phone": user.phone, "password": PASSWORD})
    # when
    response = client.get("/api/accounts/me")
    # then
    assert response.status_code == 200
    assert response.json()["user"]["name"] == "secretary"


def test_validation_error_is_400_with_field_and_every_problem(world: Any, client_for: Any) -> None:
    # given
    client = client_for(world.users["secretary"])
    # when two query parameters are wrong
    response = client.get("/api/estates/compounds/aaa/houses?page_size=1000&building=abc")
    # then
    assert response.status_code == 400
    body = error_of(response)
    assert body["code"] == "invalid"
    assert body["field"] == "page_size"
    assert {e["field"] for e in body["errors"]} == {"page_size", "building"}


def test_malformed_json_body_is_400(world: Any, client_for: Any) -> None:
    client = client_for(world.users["stranger"])
    before = db_state()
    response = client.post("/api/estates/bindings", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert db_state() == before


def test_body_over_the_upload_limit_is_413_and_changes_nothing(world: Any, client_for: Any, settings: Any) -> None:
    # given a small request-size limit
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(world.users["stranger"])
    before = db_state()
    # when
    response = client.post(
        "/api/estates/bindings",
        {"house_id": world.house_a2.pk, "relation": "owner", "pad": "x" * 5000},
        content_type="application/json",
    )
    # then
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert db_state() == before


def test_forbidden_answer_is_audited_without_the_query_string(world: Any, client_for: Any) -> None:
    # given a technician of compound A
    client = client_for(world.users["technician"])
    # when they ask for compound B's houses, searching by a phone number
    response = client.get("/api/estates/compounds/bbb/houses?q=13800000001")
    # then the refusal is recorded: who and which path, not what they searched for
    assert response.status_code == 403
    event = AuditEvent.objects.get(verb="access.denied")
    assert event.actor == world.users["technician"]
    assert event.object_id == "/api/estates/compounds/bbb/houses"
    assert "13800000001" not in str(event.after)


def test_openapi_document_lists_every_endpoint(client: Client) -> None:
    # when
    response = client.get("/api/openapi.json")
    # then
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert paths >= {
        "/api/accounts/me",
        "/api/estates/compounds",
        "/api/estates/compounds/{code}",
        "/api/estates/compounds/{code}/houses",
        "/api/estates/houses/{house_id}",
        "/api/estates/bindings",
        "/api/estates/bindings/mine",
        "/api/estates/bindings/pending",
        "/api/estates/bindings/{binding_id}/decide",
        "/api/estates/bindings/{binding_id}/withdraw",
    }


def test_openapi_document_describes_the_error_format(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    decide = schema["paths"]["/api/estates/bindings/{binding_id}/decide"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(decide)
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) >= {"code", "message", "field"}


def test_docs_page_loads_swagger_from_our_own_server(client: Client) -> None:
    # when
    response = client.get("/api/docs")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/api/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html
    assert "Content-Security-Policy" in response.headers


@pytest.mark.browser
def test_docs_page_renders_in_a_browser_under_the_csp(page: Any, live_server: Any) -> None:
    # when
    page.goto(f"{live_server.url}/api/docs")
    # then Swagger UI draws the operations (console errors, CSP violations among them, fail the test)
    page.get_by_text("Gongzhi API").first.wait_for()
    page.get_by_text("/api/estates/bindings/{binding_id}/decide").first.wait_for()
    assert page.locator(".opblock").count() >= 10
