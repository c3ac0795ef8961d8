"""A read-only fallback for superusers: insights records change only through the app's services."""

from django.apps import apps

from gongzhi.core.admin_audit import read_only_register

read_only_register(*apps.get_app_config("insights").get_models())
