from django.urls import path

from .views import pages as views
from .views import photos as photo_views
from .views import settings as settings_views
from .views import topics as topics_views

app_name = "voices"

urlpatterns = [
    path("", views.my_voices, name="mine"),
    path("new/", views.voice_new, name="new"),
    path("new/hints/", views.compose_hints, name="compose_hints"),
    path("new/praised-people/", views.praise_person_options, name="praise_people"),
    path("queue/", views.queue, name="queue"),
    path("wall/<slug:code>/", views.wall, name="wall"),
    path("topics/", topics_views.topics_index, name="topics_index"),
    path("topics/<slug:code>/", topics_views.topics_page, name="topics"),
    path("settings/", settings_views.settings_index, name="settings_index"),
    path("settings/<int:community_id>/", settings_views.settings_page, name="settings"),
    path("settings/<int:community_id>/routing/", settings_views.routing_save, name="settings_routing"),
    path("settings/<int:community_id>/deadlines/", settings_views.deadline_save, name="settings_deadlines"),
    path("settings/<int:community_id>/deadlines/reset/", settings_views.deadline_reset, name="settings_deadline_reset"),
    path("<int:pk>/", views.voice_detail, name="detail"),
    path("<int:pk>/withdraw/", views.voice_withdraw, name="withdraw"),
    path("<int:pk>/rate/", views.voice_rate, name="rate"),
    path("<int:pk>/reopen/", views.voice_reopen, name="reopen"),
    path("<int:pk>/me-too/", views.voice_me_too, name="me_too"),
    path("<int:pk>/accept/", views.voice_accept, name="accept"),
    path("<int:pk>/reject/", views.voice_reject, name="reject"),
    path("<int:pk>/dispatch/", views.voice_dispatch, name="dispatch"),
    path("<int:pk>/resolve/", views.voice_resolve, name="resolve"),
    path("<int:pk>/note/", views.voice_note, name="note"),
    path("<int:pk>/photos/<int:photo_id>/", photo_views.photo, name="photo"),
]
