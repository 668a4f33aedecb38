"""Celery tasks of the vip app (scheduled by `manage.py setup_schedules`)."""

import logging

from celery import shared_task
from django.conf import settings

from vip.accounts import disable_inactive_accounts as disable
from vip.audit import AuditMaintenanceRefused, retire_audit_older_than

logger = logging.getLogger(__name__)


@shared_task(name="vip.tasks.disable_inactive_accounts")
def disable_inactive_accounts() -> int:
    """Daily: disable accounts unused for 90 days. Idempotent: a second run finds nothing more to do."""
    return len(disable())


@shared_task(name="vip.tasks.purge_expired_audit_events")
def purge_expired_audit_events() -> int:
    """Weekly: take out of the trail the months older than VIP_AUDIT_RETENTION_DAYS (never less than a year, CJIS
    AU-11), detached to the `audit_archive` schema (vip.audit.retire_audit_older_than).

    Only the database owner may. A worker given DATABASE_OWNER_URL does it as the owner; one without it (the app
    role alone, as `make run` and the recommended production set-up run it) does nothing and logs that the
    owner's `manage.py purge_audit` (cron) does it. Returns the events detached."""
    try:
        return sum(retire_audit_older_than(settings.VIP_AUDIT_RETENTION_DAYS).values())
    except AuditMaintenanceRefused as refusal:
        logger.warning("Audit retention not run by the worker: %s", refusal)
        return 0


@shared_task(name="vip.tasks.create_audit_partitions")
def create_audit_partitions() -> int:
    """Monthly: the trail's partitions of this month and the next MONTHS_AHEAD (vip/audit/partitions.py), as the
    owner. `migrate` makes them too, so a deployment that migrates at least every few months needs no worker
    with DATABASE_OWNER_URL; without it the task makes nothing and logs so. Returns the partitions made."""
    from vip.audit.partitions import ensure_ahead
    from vip.db_roles import as_owner, may_maintain_audit

    with as_owner() as connection:
        if not may_maintain_audit(connection):
            logger.warning(
                "The audit trail's months ahead are not made by the worker (no DATABASE_OWNER_URL): "
                "`manage.py migrate` or `manage.py audit_partitions` as the owner makes them."
            )
            return 0
        return len(ensure_ahead(using=connection.alias))


@shared_task(name="vip.tasks.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Hourly: delete the idempotency keys and answers older than VIP_IDEMPOTENCY_KEPT_FOR (24 hours)."""
    from vip.idempotency import purge_expired

    return purge_expired()


@shared_task(name="vip.tasks.tell_administrators_of_lockout")
def tell_administrators_of_lockout(username: str, address: str = "") -> int:
    """An account was just locked (CJIS AC-7): e-mail every active Administrator who has an address, so that
    someone checks whether it was the user or an attack before releasing it. Returns the e-mails sent."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from vip.roles import ADMINISTRATOR

    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name=ADMINISTRATOR)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    where = f" from {address}" if address else ""
    body = (
        f"The account {username} was locked after repeated failed sign-ins{where}.\n\n"
        'It stays locked until an administrator releases it (admin: Users, action "Release the sign-in '
        'lockout"). Check with the user that the failures were theirs before releasing it; if they were not, '
        "reset the user's password and second factor. Its API tokens were revoked."
    )
    send_mail(f"VIP: account {username} locked", body, None, recipients, fail_silently=False)
    return len(recipients)
