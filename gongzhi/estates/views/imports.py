"""Placeholder views: replaced by the real pages."""

from django.http import HttpRequest, HttpResponse


def import_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def import_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def import_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def import_progress(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def import_confirm(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def import_cancel(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def export_houses(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def template_houses(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)
