"""Who may deliver a CN (SOP 2-64-6): sworn, trained, and having accompanied the VIP LE Lead."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        return self.sworn and self.trained and self.accompanied_le_lead

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
    missing = []
    if not sworn:
        missing.append("not sworn personnel")
    if not trained:
        missing.append("no Department-recognised CN training on record (SOP 2-64-6 A.1)")
    if not accompanied:
        missing.append("has not yet accompanied the VIP LE Lead on a CN delivery (SOP 2-64-6 A.2)")
    return Qualification(sworn, command, trained, accompanied, missing)
