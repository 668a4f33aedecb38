"""What every app shares: the append-only audit trail and the idempotency record of retried POSTs."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F
from django.db.models.fields.json import KT
from django.db.models.functions import Upper


class AuditEvent(models.Model):
    """One thing that happened: a transition, a change, a read of a sensitive record, a sign-in.

    Append-only (CJIS AU-9): a trigger refuses UPDATE and DELETE, even for a superuser. Changes to program
    records are written here by the database itself (vip/audit/triggers.py), whatever made them.
    """

    class Action(models.TextChoices):
        TRANSITION = "transition", "State transition"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"
        READ = "read", "Read"
        EXPORT = "export", "Export"
        LOGIN = "login", "Sign-in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOGOUT = "logout", "Sign-out"
        PERMISSION = "permission", "Permission change"
        DENIED = "denied", "Access refused"
        REVIEW = "review", "Retention review"
        SEAL = "seal", "Sealing"
        CORRECTION = "correction", "Audited correction"
        MERGE = "merge", "Merge of two records"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # A change's row (written by the database, vip/audit/triggers.py): the record as it read after the change
    # (before it, for a deletion), so a history can say what the record was without its own history table.
    snapshot = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # Every audited read and write adds a row, so the table carries only the indexes its searches use:
        # a record's trail (type, id, newest first; its prefix serves a search by type), a search by id or by
        # action alone. Not `db_index=True` on the columns: on PostgreSQL that adds a second, LIKE index to
        # each, which no search uses and every row would pay for (docs/performance.md).
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["object_id"], name="audit_object_id"),
            models.Index(fields=["action"], name="audit_action"),
            # a person's history: the changes of the records hanging off them (candidates/history.py)
            models.Index("object_type", KT("snapshot__candidate_id"), F("at").desc(), name="audit_candidate_records"),
            # the viewer's "Who" (a user name's part, any case: UPPER(actor_username) LIKE ...), pg_trgm's
            # (candidates migration 0003): a rare user's events without reading the trail in time order
            GinIndex(OpClass(Upper("actor_username"), name="gin_trgm_ops"), name="audit_actor_trgm"),
        ]

    def __str__(self):
        who = self.actor_username or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type} {self.object_id}"


class IdempotencyRecord(models.Model):
    """A retried POST's key, claimed by its first request, with the answer it gave (vip/idempotency.py).

    One row per user and key, for the REST API's `Idempotency-Key` and the tablet forms' hidden key alike.
    A claim without an answer is a request still running (or one that crashed, taken over after
    VIP_IDEMPOTENCY_CLAIM_TIMEOUT); a row older than VIP_IDEMPOTENCY_KEPT_FOR is purged by the beat schedule.
    """

    key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)  # when the key was claimed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_at")]  # the hourly purge


class ApiToken(models.Model):
    """An API token (tablets), one per sign-in at POST /api/auth/token/ (CJIS IA-2, AC-12).

    It dies with the credentials it was issued on: `credentials` is a keyed digest of the user's password
    hash, active flag, staff and superuser flags and roles when it was issued (`vip.tokens.fingerprint`), and
    authentication refuses a token whose digest no longer matches, however the change was made (admin,
    `set_password`, the password form, `.update()`, SQL). An MFA reset and a lockout delete the user's tokens.
    """

    key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    created = models.DateTimeField(auto_now_add=True)
    credentials = models.CharField(max_length=64)
    notice_acknowledged_at = models.DateTimeField(
        help_text="When the system-use notice was acknowledged at this sign-in (CJIS AC-8)."
    )

    class Meta:
        verbose_name = "API token"

    def save(self, *args, **kwargs):
        from vip.tokens import fingerprint, new_key

        if not self.key:
            self.key = new_key()
        if not self.credentials:
            self.credentials = fingerprint(self.user)
        if self.notice_acknowledged_at is None:
            from django.utils import timezone

            self.notice_acknowledged_at = timezone.now()
        super().save(*args, **kwargs)

    def __str__(self):
        return f"API token of {self.user} issued {self.created:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """One single-use recovery code, stored only as its SHA-256 digest (never in clear, ASVS 2.6.2).

    Kept apart from django-otp's StaticToken, which stores codes in clear. A code has 80 random bits, so a
    fast digest cannot be reversed by trying codes.
    """

    device = models.ForeignKey("otp_static.StaticDevice", on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_once")]


class RoleGrant(models.Model):
    """A request to give a user a role that reads records, or the Administrator role (issue 17, CJIS AC-5).

    The role is added only when a second person approves (`vip.grants.decide_grant`): another Administrator,
    or the Program Manager where the program has a single active Administrator; never the requester nor the
    user who receives it. Requests and decisions are kept (no deletion) and each is audited with its reason.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_grants")
    group = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name="role")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "role grant"
        constraints = [
            # one open request per user and role: a second would be approved twice, or refused beside the first
            models.UniqueConstraint(
                fields=["user", "group"], condition=models.Q(status="pending"), name="rolegrant_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.group.name} for {self.user.get_username()} ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
