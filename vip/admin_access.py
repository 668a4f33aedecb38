"""The admin obeys the same access rules as every page (CJIS AC-6): one mixin, the selectors inside.

`SelectorScopedAdminMixin` filters a ModelAdmin's queryset through the selectors the apps registered in
`vip.scopes` (`candidates_visible_to`, `deliveries_visible_to`, `checks_visible_to`), found from the model:
the Candidate itself, a Delivery, or a model with a `candidate` or `delivery` foreign key; or say it with
`access_via = "delivery__candidate"`. It limits the candidate and CN choices of its forms the same way, and
answers 404 (not the admin's redirect "doesn't exist") for an object outside the user's scope. A model admin with its own rules overrides `scope()`.

Apply it to every admin of a candidate-linked model:

    @admin.register(Alias)
    class AliasAdmin(SelectorScopedAdminMixin, admin.ModelAdmin): ...
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404

from vip import scopes


class SelectorScopedAdminMixin:
    access_via: str | None = None  # lookup from this model to a Candidate or a Delivery, when not obvious

    def scope(self, request, qs):
        user = request.user
        own = scopes.scope_of(self.model)
        if own is not None:
            return qs.filter(pk__in=own.visible_to(user).values("pk"))
        path = self.access_via or self._guess_path()
        target = scopes.scope_of(self._target_model(path)) if path else None
        if target is None:
            raise TypeError(
                f"{type(self).__name__}: set access_via to the lookup from {self.model} to a candidate or CN."
            )
        return qs.filter(**{f"{path}__in": target.visible_to(user).values("pk")})

    def _guess_path(self) -> str | None:
        names = {f.name: f for f in self.model._meta.get_fields() if getattr(f, "many_to_one", False)}
        for scope in scopes.all_scopes():
            if scope.link in names and names[scope.link].related_model is scope.model:
                return scope.link
        return None

    def _target_model(self, path: str):
        model = self.model
        for part in path.split("__"):
            model = model._meta.get_field(part).related_model
        return model

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        target = scopes.scope_of(db_field.related_model)
        if target is not None and target.link is not None:
            kwargs["queryset"] = target.visible_to(request.user)
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
