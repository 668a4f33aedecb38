from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from notifications.selectors import deliveries_visible_to, get_delivery_for_user


@login_required
def board(request):
    deliveries = deliveries_visible_to(request.user)[:200]
    return render(request, "notifications/board.html", {"deliveries": deliveries})


@login_required
def my_deliveries(request):
    deliveries = deliveries_visible_to(request.user).filter(team_members__user=request.user)
    return render(request, "notifications/my_deliveries.html", {"deliveries": deliveries})


@login_required
def personnel(request):
    return render(request, "notifications/personnel.html", {})


@login_required
def delivery_detail(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    return render(request, "notifications/detail.html", {"delivery": delivery})
