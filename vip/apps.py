from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _send_audit_context(sender, connection, **kwargs):
    """Every database connection sends who is acting with each write (vip.audit.with_audit_context)."""
    from vip.audit import with_audit_context

    if with_audit_context not in connection.execute_wrappers:
        connection.execute_wrappers.append(with_audit_context)


class VipConfig(AppConfig):
    default = True
    name = "vip"
    verbose_name = "VIP (roles and audit)"

    def ready(self):
        from vip import lookups  # noqa: F401 - registers `__any_of`
        from vip.audit import check_retention_setting
        from vip.audit.triggers import check_triggers, install_after_migrate

        connection_created.connect(_send_audit_context, dispatch_uid="vip_audit_context")
        post_migrate.connect(install_after_migrate, dispatch_uid="vip_audit_triggers")
        from vip.audit.partitions import check_months_ahead, ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, dispatch_uid="vip_audit_partitions")
        checks.register(check_months_ahead, checks.Tags.database)
        checks.register(check_retention_setting, checks.Tags.security)
        checks.register(check_triggers, checks.Tags.database)

        from vip import signals

        signals.connect_auth_signals()

        from vip.security import admin as security_admin

        security_admin.install()

        from vip import tokens

        tokens.connect()


class VipAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that requires a verified second factor (CJIS IA-2)."""

    default = False
    default_site = "vip.admin_site.VipAdminSite"
