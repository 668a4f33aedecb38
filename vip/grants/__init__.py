"""Who may change whose roles and privileges: separation of duties (issue 17, CJIS AC-5 and AC-6).

The one home of these rules. The admin's user pages, the role grants in the admin and the grants page
(/security/grants/) all call it:

- No one changes their own roles, direct permissions, staff flag or superuser flag (`refuse_account_changes`).
- The superuser flag is never set from the application: only `manage.py createsuperuser` on the server gives
  it. No one is given a permission directly either: access comes from roles, which are groups
  (vip/roles.py), each with the permissions its migration gave it.
- A role in `roles.ROLES_NEEDING_APPROVAL` (every role that reads records, and the Administrator) is given
  only when a second person approves the request (`request_role`, then `decide_grant`): another
  Administrator, or the Program Manager where no other Administrator can (the program has a single active
  Administrator). The approver is never the requester nor the user who receives the role.
- Removing a role takes effect at once (it reduces access), with its reason (`remove_role`).

Every step writes a `permission` row with its reason (a refused one a `denied` row), besides the row the
database's trigger writes for the change of the user's groups (vip/audit/triggers.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from vip import roles
from vip.audit import audit, audit_denied
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent, RoleGrant

SELF_MESSAGE = (
    "No one changes the roles or privileges of their own account (separation of duties): "
    "ask another Administrator to do it."
)
SUPERUSER_MESSAGE = (
    "The superuser flag cannot be set from the application: it is given only with "
    "`manage.py createsuperuser` on the server."
)
DIRECT_PERMISSIONS_MESSAGE = "Permissions are not given to a person directly: give them a role instead."
REASON_MESSAGE = "Say why the role changes: the reason is kept in the audit trail with the change."

# What a form may carry that no one changes on their own account, and what no one sets from the application.
OWN_ACCOUNT_FIELDS = frozenset({"groups", "is_staff", "is_superuser", "user_permissions"})
NEVER_FROM_THE_APPLICATION = {"is_superuser": SUPERUSER_MESSAGE, "user_permissions": DIRECT_PERMISSIONS_MESSAGE}


class GrantRefused(NotPermitted):
    """A change of roles or privileges that the separation of duties forbids (403); `reasons` by field."""

    def __init__(self, message: str, *, reasons: dict[str, str] | None = None):
        super().__init__(message)
        self.reasons = reasons or {}


# --- one's own account, the superuser flag, direct permissions --------------------------------------------


def refuse_account_changes(*, actor, user, fields: Iterable[str], request=None) -> None:
    """Refuse (GrantRefused, recorded as a denied attempt) a change that carries `fields` (the names a form
    posted) when they include what no one sets from the application, or what `actor` may not change on their
    own account. `user` is the account changed, None for a new one."""
    posted = set(fields)
    reasons: dict[str, str] = {}
    if user is not None and user.pk == actor.pk:
        reasons.update(dict.fromkeys(sorted(OWN_ACCOUNT_FIELDS & posted), SELF_MESSAGE))
    for field, message in NEVER_FROM_THE_APPLICATION.items():
        if field in posted:
            reasons.setdefault(field, message)
    if not reasons:
        return
    message = " ".join(dict.fromkeys(reasons.values()))
    audit_denied(
        actor,
        object_type="auth.User",
        object_id=user.pk if user is not None else "",
        note=f"Refused change of {', '.join(sorted(reasons))}: {message}",
        request=request,
    )
    raise GrantRefused(message, reasons=reasons)


def _refuse_own(actor, user, request) -> None:
    if actor.pk == user.pk:
        refuse_account_changes(actor=actor, user=user, fields=["groups"], request=request)


def _require_account_manager(actor) -> None:
    if not (roles.is_administrator(actor) or actor.is_superuser):
        raise NotPermitted("Only an Administrator gives or removes roles.")


# --- who approves ------------------------------------------------------------------------------------------


def active_administrators():
    return get_user_model().objects.filter(is_active=True, groups__name=roles.ADMINISTRATOR)


def _other_administrators(grant: RoleGrant):
    """The Administrators who may approve `grant`: active, neither the requester nor the user receiving it."""
    return active_administrators().exclude(pk__in=[grant.requested_by_id, grant.user_id])


def who_approves(grant: RoleGrant) -> str:
    """Who must approve, in words: for the requester's message and the grants page."""
    if _other_administrators(grant).exists():
        return "another Administrator"
    return "the Program Manager (the program has no other active Administrator)"


def why_not_decider(actor, grant: RoleGrant) -> str | None:
    """Why `actor` may not approve or refuse `grant`, in a sentence; None when they may."""
    if actor.pk == grant.requested_by_id:
        return "You asked for this grant: a second person must approve it (separation of duties)."
    if actor.pk == grant.user_id:
        return "You are the user who receives this role: a second person must approve it (separation of duties)."
    if roles.is_administrator(actor):
        return None
    if roles.is_program_manager(actor):
        if not _other_administrators(grant).exists():
            return None
        return (
            "Another Administrator approves this grant: the Program Manager approves only where the program has "
            "a single active Administrator."
        )
    return "Only an Administrator, or the Program Manager where the program has a single Administrator, decides."


def refuse_decider(actor, grant: RoleGrant, *, request=None) -> None:
    """Raise GrantRefused, recorded as a `denied` row, when `actor` may not decide `grant`."""
    refusal = why_not_decider(actor, grant)
    if refusal:
        audit_denied(
            actor,
            object_type="auth.User",
            object_id=grant.user_id,
            note=f"Refused decision on the grant of {grant.group.name} (#{grant.pk}): {refusal}",
            request=request,
        )
        raise GrantRefused(refusal)


def may_see_grants(user) -> bool:
    """The grants page and the role grants in the admin: for those who may ever decide one."""
    return roles.is_administrator(user) or roles.is_program_manager(user)


def pending_grants():
    return RoleGrant.objects.filter(status=RoleGrant.Status.PENDING).select_related("user", "group", "requested_by")


# --- the steps ---------------------------------------------------------------------------------------------


def role_request_problem(user, group: Group, *, roles_after: Iterable[str] | None = None) -> str | None:
    """Why giving `user` the role `group` cannot be asked now, in a sentence; None when it can. `roles_after`:
    the roles the user will hold with it, when a form changes several at once (else the roles they hold)."""
    if user.pk and user.groups.filter(pk=group.pk).exists():
        return f"{user.get_username()} already has the role {group.name}."
    if roles_after is None:
        roles_after = user.groups.values_list("name", flat=True) if user.pk else ()
    conflict = roles.conflicting_roles(group.name, set(roles_after) - {group.name})
    if conflict:
        return (
            f"No one holds the role {group.name} with {', '.join(sorted(conflict))}: the Administrator, who manages "
            "the accounts, never reads candidate records."
        )
    if user.pk and RoleGrant.objects.filter(user=user, group=group, status=RoleGrant.Status.PENDING).exists():
        return f"{group.name} for {user.get_username()} already awaits approval."
    return None


def request_role(*, actor, user, group: Group, reason: str, request=None) -> RoleGrant | None:
    """Ask to give `user` the role `group`. A role that needs approval becomes a pending RoleGrant (returned);
    any other group is added at once (None). Audited with the reason."""
    reason = (reason or "").strip()
    _refuse_own(actor, user, request)
    _require_account_manager(actor)
    if not reason:
        raise DomainError("The role was not changed.", reasons={"reason": REASON_MESSAGE})
    problem = role_request_problem(user, group)
    if problem:
        raise DomainError(problem, code="conflict")
    with transaction.atomic():
        if group.name not in roles.ROLES_NEEDING_APPROVAL:
            user.groups.add(group)
            _audit_step(actor, user, group, None, f"Role {group.name} given to {user.get_username()}: {reason}")
            return None
        grant = RoleGrant.objects.create(user=user, group=group, requested_by=actor, reason=reason)
        _audit_step(
            actor,
            user,
            group,
            grant,
            f"Asked to give {user.get_username()} the role {group.name}: {reason} "
            f"It takes effect when {who_approves(grant)} approves it.",
        )
    return grant


def decide_grant(grant: RoleGrant, *, actor, approve: bool, reason: str, request=None) -> RoleGrant:
    """Approve (the role is added now) or refuse a pending grant, with a reason; audited. The decider is
    checked first, outside the transaction, so that a refused attempt's `denied` row is kept."""
    reason = (reason or "").strip()
    refuse_decider(actor, grant, request=request)
    if not reason:
        raise DomainError("The grant was not decided.", reasons={"reason": "Say why you approve or refuse it."})
    with transaction.atomic():
        # the lock: two approvers at the same moment would otherwise both decide it
        locked = RoleGrant.objects.select_for_update().select_related("user", "group").get(pk=grant.pk)
        if not locked.is_pending:
            raise DomainError(f"This grant was already {locked.get_status_display().lower()}.", code="conflict")
        conflict = roles.conflicting_roles(locked.group.name, locked.user.groups.values_list("name", flat=True))
        if approve and conflict:  # a role given since the request: refuse this one instead
            raise DomainError(
                f"{locked.user.get_username()} now holds {', '.join(sorted(conflict))}, which no one holds with "
                f"{locked.group.name}: refuse this grant, or remove that role first."
            )
        locked.status = RoleGrant.Status.APPROVED if approve else RoleGrant.Status.REFUSED
        locked.decided_by, locked.decision_reason, locked.decided_at = actor, reason, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
        if approve:
            locked.user.groups.add(locked.group)
        verb = "Approved" if approve else "Refused"
        _audit_step(
            actor,
            locked.user,
            locked.group,
            locked,
            f"{verb} the role {locked.group.name} for {locked.user.get_username()} "
            f"(asked by {locked.requested_by.get_username()}): {reason}",
        )
    return locked


def remove_role(*, actor, user, group: Group, reason: str, request=None) -> None:
    """Take a role away: at once (it reduces access), with its reason; audited."""
    reason = (reason or "").strip()
    _refuse_own(actor, user, request)
    _require_account_manager(actor)
    if not reason:
        raise DomainError("The role was not changed.", reasons={"reason": REASON_MESSAGE})
    with transaction.atomic():
        user.groups.remove(group)
        _audit_step(actor, user, group, None, f"Role {group.name} removed from {user.get_username()}: {reason}")


def grant_on_the_server(*, username: str, role: str, reason: str) -> None:
    """Give a role at once, from the server (`manage.py grant_role`): for the first Administrator and the first
    Program Manager, whom no one in the application could approve yet. Whoever runs it has the server, as for
    `createsuperuser`; the trail records it as the system's, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("The role was not given.", reasons={"reason": REASON_MESSAGE})
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise DomainError(f"There is no account {username!r}.")
    group = Group.objects.filter(name=role).first()
    if group is None:
        raise DomainError(f"There is no role {role!r}: one of {', '.join(roles.ALL_ROLES)}.")
    problem = role_request_problem(user, group)
    if problem:
        raise DomainError(problem)
    with transaction.atomic():
        user.groups.add(group)
        _audit_step(None, user, group, None, f"Role {group.name} given to {username} on the server: {reason}")


def _audit_step(actor, user, group: Group, grant: RoleGrant | None, note: str) -> None:
    changes: dict = {"role": group.name}
    if grant is not None:
        changes.update(grant=grant.pk, status=grant.status)
    audit(
        actor=actor, action=AuditEvent.Action.PERMISSION, obj=user, object_type="auth.User", note=note, changes=changes
    )
