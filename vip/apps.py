from django.apps import AppConfig


class VipConfig(AppConfig):
    name = "vip"
    verbose_name = "VIP (roles and audit)"

    def ready(self):
        from vip import receivers

        receivers.connect()
