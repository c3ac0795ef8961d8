from django.urls import path

from .views import cases, incidents

app_name = "mediation"

urlpatterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_new, name="new"),
    path("from-voice/<int:voice>/", cases.case_from_voice, name="from_voice"),
    path("cases/<int:pk>/", cases.case_detail, name="detail"),
    path("cases/<int:pk>/parties/", cases.party_add, name="party_add"),
    path("cases/<int:pk>/mediators/", cases.mediator_assign, name="mediator_assign"),
    path("cases/<int:pk>/mediators/<int:mediator>/remove/", cases.mediator_remove, name="mediator_remove"),
    path("cases/<int:pk>/evidence/", cases.evidence_add, name="evidence_add"),
    path("cases/<int:pk>/evidence/<int:evidence>/", cases.evidence_file, name="evidence"),
    path("cases/<int:pk>/evidence/<int:evidence>/<str:size>/", cases.evidence_file, name="evidence_size"),
    path("cases/<int:pk>/sessions/", cases.session_schedule, name="session_schedule"),
    path("cases/<int:pk>/sessions/<int:session>/record/", cases.session_record, name="session_record"),
    path("cases/<int:pk>/sessions/<int:session>/cancel/", cases.session_cancel, name="session_cancel"),
    path("cases/<int:pk>/agreement/", cases.agreement_record, name="agreement_record"),
    path("cases/<int:pk>/agreement/sign/", cases.agreement_sign, name="agreement_sign"),
    path("cases/<int:pk>/agreement/<int:version>.pdf", cases.agreement_pdf, name="agreement_pdf"),
    path("cases/<int:pk>/close/", cases.case_close, name="close"),
    path("cases/<int:pk>/follow-up/", cases.follow_up_record, name="follow_up"),
    path("cases/<int:pk>/reopen/", cases.case_reopen, name="reopen"),
    path("log/", cases.access_log, name="log"),
    path("figures/", cases.figures, name="figures"),
    path("figures/policy/<int:compound>/", cases.policy_set, name="policy"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:pk>/acknowledge/", incidents.incident_acknowledge, name="incident_acknowledge"),
    path("incidents/<int:pk>/close/", incidents.incident_close, name="incident_close"),
]
