"""The LE Lead's forms on the CN page. Field names are the services' keyword arguments; the forms only
type and shape what was typed, the services judge it (and their reasons are shown on the form)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from candidates.models import EligibilityBasis, Influencer
from notifications.models import Check, GuardianContactAttempt, JPOCheck, LetterTemplate, TeamMember
from notifications.personnel import qualification
from notifications.rules import REVISION_REASON_FIELD
from vip import roles


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of people on staff, each by their full name (the username only for one who has none): the one
    place a person is labelled in a list of choices (issue 18: coordinators were listed by username)."""

    def label_from_instance(self, user):
        return user.get_full_name() or user.username


def focus_first_error(form) -> None:
    """Put the cursor on the first field a refusal names, or on the form's button when the refusal names none
    (its reasons are above it): the browser scrolls the page there (issue 18; `autofocus`, as the CSP allows no
    inline script; a URL fragment would not do, as a browser skips `autofocus` on a page opened at one)."""
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return
    form.focus_on_submit = bool(form.errors)


class DeliveryForm(forms.Form):
    """A form about one CN: choices of people and records are limited to that CN's candidate.

    A step whose one record may already be on record (`revisable`) starts from what was recorded (`saved`),
    and then asks why it changes: the service refuses a change without a reason and audits it."""

    revisable = False
    focus_on_submit = False  # a refusal naming no field: the cursor goes to the button (`focus_first_error`)

    def __init__(self, *args, delivery=None, saved=None, **kwargs):
        self.delivery = delivery
        self.saved = saved
        if saved is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), **self.initial_from(saved)}
        super().__init__(*args, **kwargs)
        if saved is not None and self.revisable:
            self.fields[REVISION_REASON_FIELD] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label="Why change what was recorded",
                help_text="Needed only when you change a recorded value; kept in the audit trail.",
            )

    def initial_from(self, saved) -> dict:
        """The form's values as recorded: each field read from the record's field of the same name."""
        return {name: getattr(saved, name) for name in self.base_fields if hasattr(saved, name)}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class NewDeliveryForm(forms.Form):
    """A planned day in the past is asked about once more on the page (a CN opened after the fact means it, a
    mistyped year does not); the service refuses one more than a year away (`rules.planned_for_problem`)."""

    planned_for = forms.DateField(required=False, widget=DateInput, help_text="The day the delivery is planned.")
    past_date_confirmed = forms.BooleanField(required=False, label="Yes, the planned day is in the past")
    location = forms.CharField(required=False, max_length=200, help_text="Where the CN is to be delivered.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self._past_day_typed():
            del self.fields["past_date_confirmed"]  # asked only when it applies

    def _past_day_typed(self) -> bool:
        try:
            typed = (
                self.fields["planned_for"].clean(self.data.get(self.add_prefix("planned_for")))
                if self.is_bound
                else None
            )
        except forms.ValidationError:
            return False
        return typed is not None and typed < timezone.localdate()

    def clean(self):
        data = super().clean()
        if "past_date_confirmed" in self.fields and not data.get("past_date_confirmed"):
            self.add_error(
                "planned_for",
                f"{data['planned_for']:%-d %B %Y} is in the past: tick the box below to keep it, or change the day.",
            )
        data.pop("past_date_confirmed", None)
        return data


# --- preparation steps ----------------------------------------------------------------------------------


class CheckForm(DeliveryForm):
    revisable = True

    completed_on = forms.DateField(widget=DateInput)
    result = forms.ChoiceField(choices=Check.Result.choices)
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was found. Required unless the result is 'No concerns'.",
    )


class LetterForm(DeliveryForm):
    warranted = forms.TypedChoiceField(
        choices=[("1", "Draft a personalised letter"), ("0", "A letter is not warranted")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        label="Letter",
    )
    template = forms.ModelChoiceField(queryset=LetterTemplate.objects.none(), required=False)
    penalties = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The penalties specific to this candidate if they choose to be involved in violent crime.",
    )
    not_warranted_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = LetterTemplate.objects.filter(active=True).order_by("name")

    def initial_from(self, saved) -> dict:
        return {
            **super().initial_from(saved),
            "template": saved.template_id,
            "warranted": "0" if saved.not_warranted_reason else "1",
        }


class MemberChoiceField(StaffChoiceField):
    """People who can join a team, each labelled with their SOP 2-64-6 standing."""

    def label_from_instance(self, user):
        if roles.is_social_services(user):
            return f"{super().label_from_instance(user)}: social services"
        q = qualification(user)
        if not roles.has_role(user, roles.OFFICER, roles.LE_LEAD):
            status = "no Officer role yet"
        elif q.qualified:
            status = "qualified" + (", command level" if q.command_level else "")
        elif q.may_go_as_trainee:
            status = "trainee only: has not yet accompanied the LE Lead"
        else:
            status = "not qualified: " + "; ".join(q.missing)
        return f"{super().label_from_instance(user)}: {status}"


class TeamAddForm(DeliveryForm):
    member = MemberChoiceField(queryset=User.objects.none())
    role = forms.ChoiceField(choices=TeamMember.Role.choices, initial=TeamMember.Role.OFFICER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        on_team = self.delivery.team_members.values("user") if self.delivery else []
        self.fields["member"].queryset = (
            User.objects.filter(is_active=True)
            .filter(
                Q(personnel__is_sworn=True) | Q(groups__name__in=[roles.OFFICER, roles.LE_LEAD, roles.SOCIAL_SERVICES])
            )
            .exclude(pk__in=on_team)
            .distinct()
            .order_by("last_name", "first_name")
        )


class TeamRemoveForm(DeliveryForm):
    member = forms.ModelChoiceField(queryset=User.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.delivery:
            self.fields["member"].queryset = User.objects.filter(team_memberships__delivery=self.delivery)


class SocialServicesForm(DeliveryForm):
    revisable = True

    coordinated_on = forms.DateField(widget=DateInput)
    plan = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="What the social services component will bring."
    )
    coordinator = StaffChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = User.objects.filter(
            is_active=True, groups__name=roles.SOCIAL_SERVICES
        ).order_by("last_name", "first_name")

    def initial_from(self, saved) -> dict:
        return {**super().initial_from(saved), "coordinator": saved.coordinator_id}


class JPOCheckForm(DeliveryForm):
    revisable = True

    contacted_on = forms.DateField(widget=DateInput)
    on_probation = forms.TypedChoiceField(
        choices=[("0", "No"), ("1", "Yes")], coerce=lambda v: v == "1", label="On probation?"
    )

    probation_officer = forms.CharField(required=False, max_length=150)
    services_status = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Status of services")
    relationship_status = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Probation officer's relationship with the juvenile"
    )
    decision = forms.ChoiceField(choices=JPOCheck.Decision.choices, help_text="'Do not deliver' cancels the CN.")
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def initial_from(self, saved) -> dict:
        return {**super().initial_from(saved), "on_probation": "1" if saved.on_probation else "0"}


class InfluencerChoiceMixin:
    influencer_fields: tuple[str, ...] = ()

    def limit_influencers(self):
        for name in self.influencer_fields:
            self.fields[name].queryset = Influencer.objects.filter(candidate_id=self.delivery.candidate_id)


class GuardianContactForm(InfluencerChoiceMixin, DeliveryForm):
    influencer_fields = ("influencer",)

    influencer = forms.ModelChoiceField(
        queryset=Influencer.objects.none(), required=False, label="Parent or guardian on record"
    )
    guardian_name = forms.CharField(required=False, max_length=150, help_text="If not on record.")
    attempted_at = forms.DateTimeField(widget=DateTimeInput)
    method = forms.ChoiceField(choices=GuardianContactAttempt.Method.choices)
    reached = forms.BooleanField(required=False)
    will_be_present = forms.BooleanField(required=False, label="Will be present at the delivery")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_influencers()


# --- transitions ---------------------------------------------------------------------------------------


class NoteForm(DeliveryForm):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 1}))


class EligibilityForm(NoteForm):
    basis_ids = forms.ModelMultipleChoiceField(
        queryset=EligibilityBasis.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Bases relied on",
        help_text="None ticked: every basis that holds.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis_ids"].queryset = EligibilityBasis.objects.filter(candidate_id=self.delivery.candidate_id)

    def service_kwargs(self):
        data = super().service_kwargs()
        data["basis_ids"] = [b.pk for b in data["basis_ids"]]
        return data


class AdviseECCForm(NoteForm):
    location = forms.CharField(required=False, max_length=200, help_text="Blank: the CN's planned location.")
    ecc_reference = forms.CharField(required=False, max_length=50, label="ECC reference")


class EncounterForm(InfluencerChoiceMixin, NoteForm):
    influencer_fields = ("guardian_influencer",)

    letter_presented = forms.BooleanField(required=False)
    gvi_message_delivered = forms.BooleanField(required=False, label="GVI message delivered")
    social_services_stayed = forms.NullBooleanField(
        required=False,
        label="Team stayed for the social services component",
        widget=forms.NullBooleanSelect,
    )
    social_services_not_feasible_reason = forms.CharField(required=False, label="Why not feasible")
    guardian_present = forms.BooleanField(required=False, label="Parent or guardian present (juvenile)")
    guardian_influencer = forms.ModelChoiceField(queryset=Influencer.objects.none(), required=False)
    guardian_name = forms.CharField(required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_influencers()


class InfluencerEncounterForm(InfluencerChoiceMixin, NoteForm):
    influencer_fields = ("recipient_influencer",)

    recipient_influencer = forms.ModelChoiceField(
        queryset=Influencer.objects.none(), required=False, label="Recipient on record"
    )
    recipient_name = forms.CharField(required=False, max_length=150, help_text="If not on record.")
    recipient_relationship = forms.CharField(required=False, max_length=100)
    recipient_reason = forms.CharField(required=False, label="Why it was warranted")
    gvi_message_delivered = forms.BooleanField(required=False, label="GVI message delivered")
    letter_presented = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_influencers()


class RefusalForm(NoteForm):
    message_partially_given = forms.BooleanField(required=False, label="Part of the message was given")


class AfterActionForm(DeliveryForm):
    ecc_advised_of_outcome = forms.BooleanField(required=False, label="ECC advised of the outcome")
    cad_report_number = forms.CharField(required=False, max_length=30, label="CAD report number")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(DeliveryForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why cancel")
