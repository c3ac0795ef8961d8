from django.urls import path

from .views import imports, pages

app_name = "estates"

urlpatterns = [
    path("", pages.compound_list, name="compound_list"),
    path("me/", pages.resident_home, name="resident_home"),
    path("me/bind/", pages.binding_new, name="binding_new"),
    path("me/bind/<int:pk>/withdraw/", pages.binding_withdraw, name="binding_withdraw"),
    path("bindings/", pages.binding_queue, name="binding_queue"),
    path("bindings/<int:pk>/decide/", pages.binding_decide, name="binding_decide"),
    path("c/<slug:code>/", pages.compound_detail, name="compound_detail"),
    path("c/<slug:code>/houses/", pages.house_list, name="house_list"),
    path("c/<slug:code>/options/", pages.house_options, name="house_options"),
    path("houses/<int:pk>/", pages.house_detail, name="house_detail"),
    path("houses/<int:pk>/status/", pages.house_status, name="house_status"),
    path("houses/<int:pk>/type/", pages.house_type, name="house_type"),
    path("houses/<int:pk>/move-out/", pages.resident_move_out, name="resident_move_out"),
    path("c/<slug:code>/imports/", imports.import_list, name="import_list"),
    path("c/<slug:code>/imports/new/", imports.import_new, name="import_new"),
    path("c/<slug:code>/imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("c/<slug:code>/imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("c/<slug:code>/imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("c/<slug:code>/imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("c/<slug:code>/export/houses.xlsx", imports.export_ledger, {"ledger": "houses"}, name="export_houses"),
    path("c/<slug:code>/export/<slug:ledger>.xlsx", imports.export_ledger, name="export_ledger"),
    path("template/houses.xlsx", imports.template_ledger, {"ledger": "houses"}, name="template_houses"),
    path("template/<slug:ledger>.xlsx", imports.template_ledger, name="template_ledger"),
]
