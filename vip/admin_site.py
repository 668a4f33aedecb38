"""The admin site: only for users who signed in through the product's own pages, second factor included."""

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class VipAdminSite(OTPAdminSite):
    site_header = "VIP record management: administration"
    site_title = "VIP admin"

    def login(self, request, extra_context=None):
        """One sign-in for the whole system: password, second factor and the system-use notice."""
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
