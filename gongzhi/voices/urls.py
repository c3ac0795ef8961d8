from django.urls import path

from .views import pages as views

app_name = "voices"

urlpatterns = [
    path("", views.my_voices, name="mine"),
    path("new/", views.voice_new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("wall/<slug:code>/", views.wall, name="wall"),
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
]
