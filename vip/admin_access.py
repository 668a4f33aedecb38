"""The admin obeys the same access rules as every page (CJIS AC-6): one mixin, the selectors inside.

`SelectorScopedAdminMixin` filters a ModelAdmin's queryset through `candidates_visible_to` /
`deliveries_visible_to` (found from the model: the Candidate itself, a Delivery, or a model with a
`candidate` or `delivery` foreign key; or say it with `access_via = "delivery__candidate"`), limits the
candidate and CN choices of its forms the same way, and answers 404 (not the admin's redirect "doesn't
exist") for an object outside the user's scope. A model admin with its own rules overrides `scope()`.

Apply it to every admin of a candidate-linked model:

    @admin.register(Alias)
    class AliasAdmin(SelectorScopedAdminMixin, admin.ModelAdmin): ...
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from candidates.models import Candidate
from candidates.selectors import candidates_visible_to
from notifications.models import Check, Delivery
from notifications.selectors import checks_visible_to, deliveries_visible_to


class SelectorScopedAdminMixin:
    access_via: str | None = None  # lookup from this model to a Candidate or a Delivery, when not obvious

    def scope(self, request, qs):
        model = self.model
        user = request.user
        if model is Candidate or issubclass(model, Candidate):
            return qs.filter(pk__in=candidates_visible_to(user).values("pk"))
        if model is Delivery:
            return qs.filter(pk__in=deliveries_visible_to(user).values("pk"))
        if model is Check:
            return qs.filter(pk__in=checks_visible_to(user).values("pk"))
        path = self.access_via or self._guess_path()
        if path is None:
            raise TypeError(f"{type(self).__name__}: set access_via to the lookup from {model} to a candidate or CN.")
        target = self._target_model(path)
        if target is Delivery:
            return qs.filter(**{f"{path}__in": deliveries_visible_to(user).values("pk")})
        return qs.filter(**{f"{path}__in": candidates_visible_to(user).values("pk")})

    def _guess_path(self) -> str | None:
        names = {f.name: f for f in self.model._meta.get_fields() if getattr(f, "many_to_one", False)}
        for name in ("candidate", "delivery"):
            if name in names and names[name].related_model in (Candidate, Delivery):
                return name
        return None

    def _target_model(self, path: str):
        model = self.model
        for part in path.split("__"):
            model = model._meta.get_field(part).related_model
        return model

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Candidate:
            kwargs["queryset"] = candidates_visible_to(request.user)
        elif db_field.related_model is Delivery:
            kwargs["queryset"] = deliveries_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # A record outside the user's scope answers as if it did not exist: 404, the same as every page.
        raise Http404("No such record.")

    def _in_scope_or_404(self, request, object_id) -> None:
        """Before any permission check (which would answer 403 and so tell the record exists), and before
        the history view, which reads a record's log without `get_queryset`."""
        try:
            found = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, TypeError, ValidationError):
            found = False
        if not found:
            raise Http404("No such record.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)


@admin.action(description="Seal on a court order (juveniles only)")
def seal_on_court_order(modeladmin, request, queryset):
    """Admin action for a Candidate admin: opens the sealing form for the one selected record."""
    if queryset.count() != 1:
        modeladmin.message_user(request, "Pick exactly one record to seal: each needs its court order.", messages.ERROR)
        return None
    return HttpResponseRedirect(reverse("audit:seal", args=[queryset.get().pk]))
