from django.apps import AppConfig


class VipConfig(AppConfig):
    name = "vip"
    verbose_name = "VIP (roles and audit)"
