"""Top-level URLs: pages per app, the API, the admin fallback, language switching."""

from django.contrib import admin
from django.urls import include, path

from gongzhi.api.urls import api
from gongzhi.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon),
    path("privacy/", core_views.privacy, name="privacy"),
    path("elder-mode/", core_views.elder_mode_toggle, name="elder_mode"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("estates/", include("gongzhi.estates.urls")),
    path("voices/", include("gongzhi.voices.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("fees/", include("gongzhi.finance.urls")),
    path("meetings/", include("gongzhi.meetings.urls")),
    path("activities/", include("gongzhi.activities.urls")),
    path("duty/", include("gongzhi.duty.urls")),
    path("mediation/", include("gongzhi.mediation.urls")),
    path("notices/", include("gongzhi.notices.urls")),
    path("insights/", include("gongzhi.insights.urls")),
    path("open311/", include("gongzhi.open311.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# No route serves MEDIA_ROOT, not even with DEBUG: it holds private uploads (ledgers, voice photos), which the
# application serves itself to those allowed (e.g. voices:photo).

handler403 = "gongzhi.core.views.permission_denied"
