"""Staff administration (issue 18, item 6): the Administrator adds a member of staff and keeps their record.

One page holds what makes a person able to work here: the account, the roles (asked through `vip.grants`, so a
role that reads records takes effect only when a second person approves it), and the SOP 2-64-6 facts that
decide whether they may deliver a CN (sworn, command level, training records). Whether they may deliver is read
from the one rule, `notifications.personnel.qualification`; this module only puts it in words for the page.

It lives in `notifications` because the personnel and training records do; `vip` knows nothing of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Prefetch

from notifications.models import Personnel, TrainingRecord
from notifications.personnel import Qualification, qualification
from vip import grants, roles
from vip.models import RoleGrant
from vip.security import locked_out_usernames

MAY_DELIVER = "May deliver CNs now (SOP 2-64-6)."
TRAINEE_ONLY = (
    "May go to the door now only as a trainee, on a team with the VIP LE Lead (SOP 2-64-6 A.2): after a closed "
    "CN on which they accompanied the LE Lead, they deliver on their own."
)
MAY_NOT_DELIVER = "May not deliver CNs yet."


def may_manage_staff(user) -> bool:
    """The staff pages: the Administrators (and a superuser created on the server, who sets up the first)."""
    return user.is_authenticated and (roles.is_administrator(user) or user.is_superuser)


def role_choices():
    """The roles, in the order `vip.roles` declares them."""
    order = {name: index for index, name in enumerate(roles.ALL_ROLES)}
    return sorted(Group.objects.filter(name__in=roles.ALL_ROLES), key=lambda group: order[group.name])


@dataclass(frozen=True)
class Standing:
    """What the staff pages say about a person: roles held and awaited, and whether they may deliver."""

    qualification: Qualification
    roles: list[str]
    pending_roles: list[str]
    statement: str
    lacks: list[str] = field(default_factory=list)

    @property
    def may_deliver(self) -> bool:
        return self.qualification.qualified

    @property
    def may_go_as_trainee(self) -> bool:
        return self.qualification.may_go_as_trainee

    @property
    def goes_to_the_door(self) -> bool:
        """Sworn, or an officer or the LE Lead (held or asked for): the people whose deliverability matters."""
        door_roles = {roles.OFFICER, roles.LE_LEAD}
        return self.qualification.sworn or bool(door_roles & (set(self.roles) | set(self.pending_roles)))


def standing(user: User) -> Standing:
    q = qualification(user)
    held = sorted(roles.role_names(user), key=_role_order)
    pending = sorted(
        RoleGrant.objects.filter(user=user, status=RoleGrant.Status.PENDING).values_list("group__name", flat=True),
        key=_role_order,
    )
    if q.qualified:
        statement = MAY_DELIVER
    elif q.may_go_as_trainee:
        statement = TRAINEE_ONLY
    else:
        statement = MAY_NOT_DELIVER
    lacks = list(q.missing)
    if roles.OFFICER in pending or roles.LE_LEAD in pending:
        waiting = roles.OFFICER if roles.OFFICER in pending else roles.LE_LEAD
        lacks.append(
            f"the {waiting} role awaits a second person's approval: until then they cannot open their CNs or the tablet"
        )
    return Standing(q, held, pending, statement, lacks)


def _role_order(name: str) -> int:
    return roles.ALL_ROLES.index(name) if name in roles.ALL_ROLES else len(roles.ALL_ROLES)


@dataclass(frozen=True)
class StaffRow:
    user: User
    roles: list[str]
    pending_roles: list[str]
    locked_out: bool
    sworn: bool


def staff_rows() -> list[StaffRow]:
    """Every account, with its roles, the roles awaiting approval and whether its sign-in is locked."""
    users = list(
        roles.with_role_names(User.objects.all())
        .select_related("personnel")
        .prefetch_related(
            Prefetch(
                "role_grants",
                queryset=RoleGrant.objects.filter(status=RoleGrant.Status.PENDING).select_related("group"),
                to_attr="pending_grants",
            )
        )
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    locked = locked_out_usernames([user.username for user in users])
    rows = []
    for user in users:
        personnel = getattr(user, "personnel", None)
        rows.append(
            StaffRow(
                user=user,
                roles=sorted(roles.role_names(user), key=_role_order),
                pending_roles=sorted((g.group.name for g in user.pending_grants), key=_role_order),
                locked_out=user.username in locked,
                sworn=bool(personnel and personnel.is_sworn),
            )
        )
    return rows


@dataclass(frozen=True)
class Training:
    course: str
    attended_on: dt.date
    department_recognised: bool = True


def staff_member_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    wanted_roles: list[Group],
    reason: str,
    badge_number: str = "",
    rank: str = "",
    is_sworn: bool = False,
    is_command_level: bool = False,
    training: Training | None = None,
    request=None,
) -> tuple[User, list[RoleGrant]]:
    """Create the account, its personnel record and training, and ask for its roles (`vip.grants`): a role that
    needs approval waits for a second person. All or nothing: a refused role leaves no account behind.

    The person signs in with the initial password and enrols their authenticator app at that first sign-in
    (vip.security's gate sends an account with no confirmed device to enrolment)."""
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=email,
            # the admin site is for the Administrators; the flag follows the role they are asked for
            is_staff=any(group.name == roles.ADMINISTRATOR for group in wanted_roles),
        )
        Personnel.objects.create(
            user=user, badge_number=badge_number, rank=rank, is_sworn=is_sworn, is_command_level=is_command_level
        )
        if training is not None:
            training_add(actor=actor, user=user, training=training)
        requested = [
            grant
            for group in wanted_roles
            if (grant := grants.request_role(actor=actor, user=user, group=group, reason=reason, request=request))
        ]
    return user, requested


def staff_member_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    wanted_roles: list[Group],
    reason: str,
    badge_number: str,
    rank: str,
    is_sworn: bool,
    is_command_level: bool,
    training: Training | None = None,
    request=None,
) -> tuple[list[RoleGrant], list[str]]:
    """Save the person and their SOP 2-64-6 facts; roles added are asked for (`vip.grants.request_role`), roles
    taken away are removed at once (`vip.grants.remove_role`). Returns the grants asked and the roles removed."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.first_name, user.last_name, user.email = first_name, last_name, email
        fields = ["first_name", "last_name", "email"]
        if user.pk != actor.pk:  # one's own account stays active: no one locks themselves out by a tick
            user.is_active = is_active
            fields.append("is_active")
        user.save(update_fields=fields)
        Personnel.objects.update_or_create(
            user=user,
            defaults={
                "badge_number": badge_number,
                "rank": rank,
                "is_sworn": is_sworn,
                "is_command_level": is_command_level,
            },
        )
        if training is not None:
            training_add(actor=actor, user=user, training=training)
        requested, removed = [], []
        if user.pk != actor.pk:
            current, wanted = set(user.groups.all()), set(wanted_roles)
            for group in sorted(current - wanted, key=lambda g: _role_order(g.name)):
                grants.remove_role(actor=actor, user=user, group=group, reason=reason, request=request)
                removed.append(group.name)
            for group in sorted(wanted - current, key=lambda g: _role_order(g.name)):
                grant = grants.request_role(actor=actor, user=user, group=group, reason=reason, request=request)
                if grant is not None:
                    requested.append(grant)
    return requested, removed


def training_add(*, actor: User, user: User, training: Training) -> TrainingRecord:
    return TrainingRecord.objects.create(
        user=user,
        course=training.course,
        attended_on=training.attended_on,
        department_recognised=training.department_recognised,
        recorded_by=actor,
    )
