"""Placeholder views: replaced by the real pages."""

from django.http import HttpRequest, HttpResponse


def compound_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def resident_home(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def binding_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def binding_withdraw(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def binding_queue(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def binding_decide(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def compound_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def house_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def house_options(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def house_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


def house_status(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)
