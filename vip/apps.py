from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks


class VipConfig(AppConfig):
    default = True
    name = "vip"
    verbose_name = "VIP (roles and audit)"

    def ready(self):
        from vip import (
            lookups,  # noqa: F401 - registers `__any_of`
            receivers,
        )
        from vip.audit import check_retention_setting

        receivers.connect()
        checks.register(check_retention_setting, checks.Tags.security)

        from vip import signals

        signals.connect_auth_signals()

        from vip import security_admin

        security_admin.install()

        from vip import tokens

        tokens.connect()


class VipAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that requires a verified second factor (CJIS IA-2)."""

    default = False
    default_site = "vip.admin_site.VipAdminSite"
