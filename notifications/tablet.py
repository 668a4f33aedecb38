"""The officer's tablet pages: one step a screen, over the same services as every other interface."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "tablet/home.html", {})
