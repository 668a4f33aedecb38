"""The admin site: only for users who signed in through the product's own pages, second factor included."""

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class VipAdminSite(OTPAdminSite):
    site_header = "VIP record management: administration"
    site_title = "VIP admin"

    # What the admin's menu calls django.contrib.auth's models: roles are never "Groups" (issue 18), a word the
    # product uses for street groups; the user pages lead to the staff pages.
    LABELS = {"auth": "Accounts and roles", "auth.group": "Roles", "auth.user": "Staff accounts"}

    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        for app_label, app in app_dict.items():
            app["name"] = self.LABELS.get(app_label, app["name"])
            for model in app["models"]:
                model["name"] = self.LABELS.get(f"{app_label}.{model['object_name'].lower()}", model["name"])
        return app_dict

    def login(self, request, extra_context=None):
        """One sign-in for the whole system: password, second factor and the system-use notice."""
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
