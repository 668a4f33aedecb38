from django.apps import AppConfig
from django.core import checks


class VipConfig(AppConfig):
    name = "vip"
    verbose_name = "VIP (roles and audit)"

    def ready(self):
        from vip import receivers
        from vip.audit import check_retention_setting

        receivers.connect()
        checks.register(check_retention_setting, checks.Tags.security)
