from django.urls import path, re_path

from .views import georeport, keys

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^v2/discovery" + FMT, georeport.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, georeport.services, name="services"),
    re_path(r"^v2/services/(?P<service_code>[^/]+)" + FMT, georeport.service_definition, name="service_definition"),
    re_path(r"^v2/requests" + FMT, georeport.requests, name="requests"),
    re_path(r"^v2/requests/(?P<service_request_id>[^/]+)" + FMT, georeport.request_detail, name="request_detail"),
    re_path(r"^v2/tokens/(?P<token>[^/]+)" + FMT, georeport.token, name="token"),
    re_path(r"^v2/(?P<rest>.*)$", georeport.not_found),
    path("keys/", keys.key_list, name="keys"),
    path("keys/new/", keys.key_new, name="key_new"),
    path("keys/<int:pk>/revoke/", keys.key_revoke, name="key_revoke"),
]
