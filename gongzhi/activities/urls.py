from django.urls import path

from .views import activities, care

app_name = "activities"

urlpatterns = [
    path("", activities.index, name="index"),
    path("new/", activities.create, name="new"),
    path("figures/", activities.figures, name="figures"),
    path("calendar/<str:token>.ics", activities.feed, name="feed"),
    path("<int:pk>/", activities.detail, name="detail"),
    path("<int:pk>.ics", activities.activity_ics, name="ics"),
    path("<int:pk>/edit/", activities.edit, name="edit"),
    path("<int:pk>/publish/", activities.publish, name="publish"),
    path("<int:pk>/hold/", activities.hold, name="hold"),
    path("<int:pk>/cancel/", activities.cancel, name="cancel"),
    path("<int:pk>/signup/", activities.signup, name="signup"),
    path("<int:pk>/feedback/", activities.feedback, name="feedback"),
    path("<int:pk>/photos/", activities.photos_add, name="photos_add"),
    path("<int:pk>/checkin/", activities.checkin_screen, name="checkin"),
    path("<int:pk>/checkin/rotate/", activities.checkin_rotate, name="checkin_rotate"),
    path("<int:pk>/scan/", activities.scan, name="scan"),
    path("signups/<int:pk>/cancel/", activities.signup_cancel, name="signup_cancel"),
    path("signups/<int:pk>/attendance/", activities.attendance, name="attendance"),
    path("photos/<int:pk>/", activities.photo, name="photo"),
    path("care/", care.index, name="care"),
    path("care/request/", care.request_care, name="care_request"),
    path("care/<int:pk>/", care.plan, name="care_plan"),
    path("care/<int:pk>/status/", care.plan_status, name="care_status"),
    path("care/<int:pk>/visit/", care.visit, name="care_visit"),
    path("care/photos/<int:pk>/", care.visit_photo, name="care_photo"),
    path("care/tasks/<slug:code>/", care.tasks, name="care_tasks"),
    path("care/tasks/<slug:code>/add/", care.task_add, name="care_task_add"),
    path("care/tasks/item/<int:pk>/toggle/", care.task_toggle, name="care_task_toggle"),
]
