from django.urls import URLPattern

from .views import area, compound, drill, peers, redlist, report

app_name = "insights"

urlpatterns: list[URLPattern] = [
    *compound.urlpatterns,
    *drill.urlpatterns,
    *area.urlpatterns,
    *peers.urlpatterns,
    *redlist.urlpatterns,
    *report.urlpatterns,
]
