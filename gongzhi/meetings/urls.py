from django.urls import path

from .views import agenda, attendance, meetings, minutes

app_name = "meetings"

urlpatterns = [
    path("", meetings.meeting_list, name="list"),
    path("new/", meetings.meeting_new, name="new"),
    path("calendar/<str:token>.ics", meetings.calendar_feed, name="calendar_feed"),
    path("<int:pk>/", meetings.meeting_detail, name="detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="edit"),
    path("<int:pk>/publish/", meetings.meeting_publish, name="publish"),
    path("<int:pk>/hold/", meetings.meeting_hold, name="hold"),
    path("<int:pk>/cancel/", meetings.meeting_cancel, name="cancel"),
    path("<int:pk>/invite/", meetings.meeting_invite, name="invite"),
    path("<int:pk>/invitations/<int:invitation>/withdraw/", meetings.meeting_uninvite, name="uninvite"),
    path("<int:pk>/rsvp/", meetings.meeting_rsvp, name="rsvp"),
    path("<int:pk>/meeting.ics", meetings.meeting_ics, name="ics"),
    path("<int:pk>/attachments/", meetings.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment>/", meetings.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:attachment>/remove/", meetings.attachment_remove, name="attachment_remove"),
    path("<int:pk>/summary/", meetings.meeting_summary, name="summary"),
    path("<int:pk>/agenda/", agenda.agenda_page, name="agenda"),
    path("<int:pk>/agenda/pick/", agenda.agenda_pick, name="agenda_pick"),
    path("<int:pk>/agenda/free/", agenda.agenda_free, name="agenda_free"),
    path("<int:pk>/agenda/<int:item>/remove/", agenda.agenda_remove, name="agenda_remove"),
    path("<int:pk>/sign-in/", attendance.sign_in_page, name="sign_in"),
    path("<int:pk>/sign-in/rotate/", attendance.sign_in_rotate, name="sign_in_rotate"),
    path("<int:pk>/sign-in/mark/", attendance.attendance_mark, name="attendance_mark"),
    path("<int:pk>/sign-in/<int:attendance>/remove/", attendance.attendance_remove, name="attendance_remove"),
    path("<int:pk>/scan/", attendance.scan, name="scan"),
    path("<int:pk>/scan/done/", attendance.scan_done, name="scan_done"),
    path("<int:pk>/minutes/", minutes.minutes_page, name="minutes"),
    path("<int:pk>/minutes/items/<int:item>/", minutes.minutes_record, name="minutes_record"),
    path("<int:pk>/minutes/items/<int:item>/decisions/", minutes.decision_add, name="decision_add"),
    path("<int:pk>/minutes/decisions/<int:decision>/remove/", minutes.decision_remove, name="decision_remove"),
    path("<int:pk>/close/", minutes.meeting_close, name="close"),
    path("<int:pk>/minutes/publish/", minutes.minutes_publish, name="minutes_publish"),
    path("<int:pk>/minutes/correct/", minutes.minutes_correct, name="minutes_correct"),
    path("<int:pk>/minutes/discard/", minutes.minutes_discard, name="minutes_discard"),
]
