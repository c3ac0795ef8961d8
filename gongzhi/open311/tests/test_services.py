"""Discovery, the service list and service definitions, in JSON and XML, and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.testing.voices_factories import category
from gongzhi.voices.models import Category, Kind

from .helpers import BASE, children, errors_of, json_of, xml_of

pytestmark = pytest.mark.django_db


def test_discovery_describes_the_v2_endpoint_in_json_and_xml(client: Any) -> None:
    # when both discovery documents are fetched
    as_json = json_of(client.get(BASE + "discovery.json"))
    root = xml_of(client.get(BASE + "discovery.xml"))
    # then they name the GeoReport v2 endpoint, its formats and how to get a key
    assert set(as_json) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = as_json["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    assert root.tag == "discovery"
    xml_endpoint = root.find("endpoints/endpoint")
    assert xml_endpoint is not None
    assert xml_endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in xml_endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("changeset") == as_json["changeset"]


def test_services_are_the_active_categories_with_string_codes(client: Any, world: Any) -> None:
    # given an inactive category besides the seeded ones
    Category.objects.create(name="旧分类", is_active=False)
    # when the service list is fetched
    services = json_of(client.get(BASE + "services.json", {"jurisdiction_id": "aaa"}))
    # then every active category is a realtime service with metadata, its code a string
    active = list(Category.objects.filter(is_active=True).order_by("position", "id"))
    assert [s["service_code"] for s in services] == [str(c.pk) for c in active]
    assert "旧分类" not in {s["service_name"] for s in services}
    repair = next(s for s in services if s["service_name"] == "设施维修")
    assert set(repair) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert repair["metadata"] is True and repair["type"] == "realtime"
    assert repair["keywords"] == ", ".join(category("设施维修").keywords.split())


def test_services_in_xml_use_the_spec_element_names(client: Any, world: Any) -> None:
    root = xml_of(client.get(BASE + "services.xml", {"jurisdiction_id": "aaa"}))
    assert root.tag == "services"
    first = children(root.findall("service")[0])
    assert list(first) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert first["metadata"] == "true" and first["type"] == "realtime"
    assert len(root) == Category.objects.filter(is_active=True).count()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({}, 400, "jurisdiction_id was not provided"),
        ({"jurisdiction_id": "  "}, 400, "jurisdiction_id was not provided"),
        ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id nowhere was not found"),
    ],
)
def test_the_service_list_needs_a_known_jurisdiction(
    client: Any, world: Any, fmt: str, params: dict[str, str], status: int, says: str
) -> None:
    response = client.get(BASE + f"services.{fmt}", params)
    assert response.status_code == status
    assert [text for _code, text in errors_of(response, fmt)] == [f"{says}."]


def test_service_definition_offers_the_kind_and_whether_neighbours_may_see_it(client: Any, world: Any) -> None:
    repair = category("设施维修")
    # when the definition is fetched in JSON
    definition = json_of(client.get(BASE + f"services/{repair.pk}.json", {"jurisdiction_id": "aaa"}))
    # then it has the service code and two optional single-value lists
    assert definition["service_code"] == str(repair.pk)
    kind, public = definition["attributes"]
    assert (kind["code"], kind["datatype"], kind["required"], kind["variable"], kind["order"]) == (
        "kind",
        "singlevaluelist",
        False,
        True,
        1,
    )
    assert [v["key"] for v in kind["values"]] == list(Kind.values)
    assert {"key": "complaint", "name": "Complaint"} in kind["values"]
    assert (public["code"], public["datatype"], public["order"]) == ("is_public", "singlevaluelist", 2)
    assert [v["key"] for v in public["values"]] == ["true", "false"]


def test_service_definition_in_xml_nests_attributes_and_values(client: Any, world: Any) -> None:
    repair = category("设施维修")
    root = xml_of(client.get(BASE + f"services/{repair.pk}.xml", {"jurisdiction_id": "aaa"}))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == str(repair.pk)
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["kind", "is_public"]
    assert attributes[0].findtext("required") == "false"
    assert [v.findtext("key") for v in attributes[0].findall("values/value")] == list(Kind.values)
    assert list(children(attributes[0])) == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_inactive_service_code_is_404(client: Any, world: Any, fmt: str) -> None:
    old = Category.objects.create(name="旧分类", is_active=False)
    for code in ("999999", "abc", str(old.pk)):
        response = client.get(BASE + f"services/{code}.{fmt}", {"jurisdiction_id": "aaa"})
        assert response.status_code == 404
        assert errors_of(response, fmt) == [("404", f"service_code {code} was not found.")]


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("nothing.json", "json"), ("services.html", "xml"), ("requests", "xml"), ("services/1/x.xml", "xml")],
)
def test_other_urls_under_v2_are_404_in_the_spec_format(client: Any, path: str, fmt: str) -> None:
    response = client.get(BASE + path)
    assert response.status_code == 404
    assert errors_of(response, fmt)


def test_writing_to_a_read_only_resource_is_405(client: Any, world: Any) -> None:
    response = client.post(BASE + "services.json", {"jurisdiction_id": "aaa"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert errors_of(response, "json") == [("405", "Method POST is not allowed here.")]
