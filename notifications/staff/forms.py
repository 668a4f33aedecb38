"""The staff member's forms: the person, the roles (asked through vip.grants), the SOP 2-64-6 facts, training."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone

from notifications.staff import Training, role_choices
from vip import grants, roles


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group: Group) -> str:
        if group.name in roles.ROLES_NEEDING_APPROVAL:
            return group.name
        return f"{group.name} (given at once)"


class DateInput(forms.DateInput):
    input_type = "date"


class StaffForm(forms.Form):
    """What the add and edit pages share."""

    first_name = forms.CharField(max_length=150, error_messages={"required": "Give the first name."})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Give the last name."})
    email = forms.EmailField(
        label="E-mail",
        error_messages={"required": "Give a work e-mail address.", "invalid": "Give a valid e-mail address."},
        help_text="Where the system sends their reminders.",
    )
    roles = RoleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "A role takes effect when a second person approves it (Role grants). The Administrator, who manages "
            "the accounts, holds no role that reads candidate records."
        ),
    )
    reason = forms.CharField(
        label="Reason for the roles",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you ask for or remove a role (for example the memo that assigns them): kept in the "
        "audit trail, and shown to whoever approves it.",
    )
    badge_number = forms.CharField(max_length=20, required=False)
    rank = forms.CharField(max_length=50, required=False)
    is_sworn = forms.BooleanField(
        label="Sworn personnel", required=False, help_text="Only sworn personnel deliver CNs."
    )
    is_command_level = forms.BooleanField(
        label="Command level", required=False, help_text="Lieutenant and above (SOP 2-64-6 A)."
    )
    training_course = forms.CharField(
        label="CN training attended", max_length=150, required=False, help_text="Course or workshop name."
    )
    training_attended_on = forms.DateField(
        label="Attended on",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Give the date as YYYY-MM-DD."},
    )
    training_recognised = forms.BooleanField(
        label="Department-recognised training", required=False, initial=True, help_text="SOP 2-64-6 A.1."
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["roles"].queryset = Group.objects.filter(name__in=roles.ALL_ROLES)
        self.fields["roles"].choices = [
            (group.pk, self.fields["roles"].label_from_instance(group)) for group in role_choices()
        ]

    def clean(self):
        cleaned = super().clean()
        course, attended = cleaned.get("training_course", "").strip(), cleaned.get("training_attended_on")
        if course and not attended and "training_attended_on" not in self.errors:
            self.add_error("training_attended_on", "Give the date they attended this training.")
        if attended and not course:
            self.add_error("training_course", "Name the training they attended on that date.")
        if attended and attended > timezone.localdate():
            self.add_error("training_attended_on", "A training is recorded once attended: this date is in the future.")
        wanted = cleaned.get("roles")
        if wanted is not None:
            self._check_roles(set(wanted), cleaned)
        return cleaned

    def held_roles(self) -> set[Group]:
        return set(self.user.groups.all()) if self.user is not None else set()

    def _check_roles(self, wanted: set[Group], cleaned) -> None:
        held = self.held_roles()
        if wanted != held and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", grants.REASON_MESSAGE)
        names = {group.name for group in wanted}
        subject = self.user if self.user is not None else User()
        for group in sorted(wanted - held, key=lambda g: g.name):
            problem = grants.role_request_problem(subject, group, roles_after=names)
            if problem:
                self.add_error("roles", problem)

    def training(self) -> Training | None:
        course = self.cleaned_data.get("training_course", "").strip()
        if not course:
            return None
        return Training(course, self.cleaned_data["training_attended_on"], self.cleaned_data["training_recognised"])


class AddStaffForm(StaffForm):
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they type to sign in: letters, digits and @ . + - _ only.",
        error_messages={"required": "Choose the username they sign in with."},
    )
    password1 = forms.CharField(
        label="Initial password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=(
            "Give it to them in person. At their first sign-in they enrol their authenticator app; "
            "a passphrase of 15 or more characters is best."
        ),
        error_messages={"required": "Give an initial password."},
    )
    password2 = forms.CharField(
        label="Initial password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the initial password again."},
    )

    field_order = ["username", "first_name", "last_name", "email", "password1", "password2"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"The username {username} is taken: choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ: type the same one twice.")
        elif first:
            probe = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as weak:
                self.add_error("password1", weak)
        return cleaned


class EditStaffForm(StaffForm):
    is_active = forms.BooleanField(
        label="Account active", required=False, help_text="Untick to disable the account: they can no longer sign in."
    )

    field_order = ["first_name", "last_name", "email", "is_active"]

    def __init__(self, *args, user: User, actor: User, **kwargs):
        personnel = getattr(user, "personnel", None)
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "roles": [group.pk for group in user.groups.all()],
                "badge_number": personnel.badge_number if personnel else "",
                "rank": personnel.rank if personnel else "",
                "is_sworn": bool(personnel and personnel.is_sworn),
                "is_command_level": bool(personnel and personnel.is_command_level),
                "training_recognised": True,
            },
        )
        super().__init__(*args, user=user, **kwargs)
        self.own = user.pk == actor.pk
        if self.own:  # shown, not changed: no one changes their own roles (vip.grants), nor disables themselves
            for name in ("roles", "is_active"):
                self.fields[name].disabled = True
            del self.fields["reason"]
            self.fields["roles"].help_text = grants.SELF_MESSAGE
