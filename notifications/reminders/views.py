"""The notification centre: a person's reminders, mark read, and the daily-digest choice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from notifications import reminders


@login_required
def inbox(request):
    page = Paginator(reminders.reminders_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/inbox.html",
        {"page": page, "reminders": page.object_list, "digest": reminders.wants_digest(request.user)},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    reminder = get_object_or_404(reminders.reminders_for(request.user), pk=pk)
    reminders.reminder_mark_read(user=request.user, reminder_id=reminder.pk)
    return redirect("reminders:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = reminders.reminder_mark_all_read(user=request.user)
    messages.success(request, f"{count} reminder{'s' if count != 1 else ''} marked read.")
    return redirect("reminders:inbox")


@login_required
@require_POST
def set_digest(request):
    digest = request.POST.get("digest") == "on"
    reminders.reminder_set_digest(user=request.user, digest=digest)
    messages.success(
        request,
        "You will get one e-mail a day summarising your reminders."
        if digest
        else "You will get an e-mail for each reminder.",
    )
    return redirect("reminders:inbox")
