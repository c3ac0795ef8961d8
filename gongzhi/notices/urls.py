from django.urls import path

from .views import lobby, resident, screens, staff

app_name = "notices"

urlpatterns = [
    path("", resident.resident_list, name="list"),
    path("<int:pk>/", resident.resident_detail, name="detail"),
    path("<int:pk>/pictures/<int:image_id>/", staff.notice_image, name="image"),
    path("manage/", staff.manage_list, name="manage"),
    path("manage/new/", staff.notice_new, name="new"),
    path("manage/<int:pk>/", staff.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", staff.notice_edit, name="edit"),
    path("manage/<int:pk>/publish/", staff.notice_publish, name="publish"),
    path("manage/<int:pk>/withdraw/", staff.notice_withdraw, name="withdraw"),
    path("manage/<int:pk>/pictures/<int:image_id>/remove/", staff.notice_image_remove, name="image_remove"),
    path("screens/", screens.screen_list, name="screens"),
    path("screens/new/", screens.screen_new, name="screen_new"),
    path("screens/<int:pk>/revoke/", screens.screen_revoke, name="screen_revoke"),
    path("screen/<str:token>/", lobby.screen, name="screen"),
    path("screen/<str:token>/content.json", lobby.screen_content, name="screen_content"),
    path("screen/<str:token>/pictures/<str:name>.jpg", lobby.screen_image, name="screen_image"),
]
