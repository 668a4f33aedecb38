"""Who may deliver a CN (SOP 2-64-6): sworn, trained, and having accompanied the VIP LE Lead."""

from __future__ import annotations

from dataclasses import dataclass, field

from notifications import rules
from notifications.models import Personnel, State, TeamMember, TrainingRecord
from vip import roles


@dataclass(frozen=True)
class Qualification:
    sworn: bool
    command_level: bool
    trained: bool
    accompanied_le_lead: bool
    missing: list[str] = field(default_factory=list)

    @property
    def qualified(self) -> bool:
        return rules.is_qualified(self)

    @property
    def may_go_as_trainee(self) -> bool:
        """Sworn and trained, not yet accompanied: may go on a team that includes the LE Lead."""
        return self.sworn and self.trained and not self.accompanied_le_lead


def accompanied_le_lead(user) -> bool:
    """On the team of a closed CN that the LE Lead was on too. The LE Lead is the one others accompany."""
    if roles.is_le_lead(user):
        return True
    return TeamMember.objects.filter(
        user=user,
        role__in=(TeamMember.Role.OFFICER, TeamMember.Role.TRAINEE),
        delivery__state=State.CLOSED,
        delivery__team_members__role=TeamMember.Role.LE_LEAD,
    ).exists()


def qualification(user) -> Qualification:
    personnel = Personnel.objects.filter(user=user).first()
    sworn = bool(personnel and personnel.is_sworn)
    command = bool(personnel and personnel.is_command_level)
    trained = TrainingRecord.objects.filter(user=user, department_recognised=True).exists()
    accompanied = accompanied_le_lead(user)
    q = Qualification(sworn, command, trained, accompanied)
    return Qualification(sworn, command, trained, accompanied, rules.lacking(q))


@dataclass(frozen=True)
class PersonnelRow:
    id: int
    name: str
    sworn: bool
    command_level: bool
    trained: bool
    accompanied_le_lead: bool
    qualified: bool
    may_go_as_trainee: bool
    missing: list[str]
    deliveries: int


def personnel_overview() -> list[PersonnelRow]:
    """Everyone who is sworn or holds the Officer or LE Lead role, with their SOP 2-64-6 status.

    `deliveries` counts the closed CNs each was on the delivery team of, so the dashboard can show how
    often command-level personnel deliver (SOP 2-64-6 A).
    """
    from django.contrib.auth.models import User
    from django.db.models import Count, Q

    users = (
        User.objects.filter(is_active=True)
        .filter(Q(personnel__is_sworn=True) | Q(groups__name__in=[roles.OFFICER, roles.LE_LEAD]))
        .distinct()
        .annotate(
            closed_deliveries=Count(
                "team_memberships",
                filter=Q(team_memberships__delivery__state=State.CLOSED)
                & Q(team_memberships__role__in=TeamMember.DELIVERING_ROLES),
                distinct=True,
            )
        )
        .order_by("last_name", "first_name", "id")
    )
    rows = []
    for user in users:
        q = qualification(user)
        rows.append(
            PersonnelRow(
                id=user.pk,
                name=user.get_full_name() or user.username,
                sworn=q.sworn,
                command_level=q.command_level,
                trained=q.trained,
                accompanied_le_lead=q.accompanied_le_lead,
                qualified=q.qualified,
                may_go_as_trainee=q.may_go_as_trainee,
                missing=q.missing,
                deliveries=user.closed_deliveries,
            )
        )
    return rows
