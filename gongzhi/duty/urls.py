from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("open/", views.open_places, name="open"),
    path("shifts/<int:pk>/take/", views.take, name="take"),
    path("shifts/<int:pk>/assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("assignments/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("assignments/<int:pk>/leave/", views.leave, name="leave"),
    path("assignments/<int:pk>/remove/", views.unassign, name="unassign"),
    path("assignments/<int:pk>/swap/", views.swap, name="swap"),
    path("swaps/<int:pk>/accept/", views.swap_accept, name="swap_accept"),
    path("swaps/<int:pk>/decline/", views.swap_decline, name="swap_decline"),
    path("swaps/<int:pk>/withdraw/", views.swap_withdraw, name="swap_withdraw"),
    path("compounds/<int:compound>/posts/new/", views.post_new, name="post_new"),
    path("compounds/<int:compound>/calendar/", views.calendar, name="calendar"),
    path("compounds/<int:compound>/calendar/<int:day>/remove/", views.calendar_remove, name="calendar_remove"),
    path("compounds/<int:compound>/volunteers/", views.register, name="register"),
    path("compounds/<int:compound>/honour/", views.honour, name="honour"),
    path("posts/<int:pk>/", views.roster, name="roster"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/generate/", views.generate, name="generate"),
    path("posts/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("volunteers/apply/", views.apply, name="apply"),
    path("volunteers/<int:pk>/status/", views.volunteer_status, name="volunteer_status"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
]
