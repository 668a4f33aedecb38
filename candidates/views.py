from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from candidates.selectors import candidates_visible_to, get_candidate_for_user


@login_required
def candidate_list(request):
    candidates = candidates_visible_to(request.user)[:100]
    return render(request, "candidates/list.html", {"candidates": candidates})


@login_required
def candidate_detail(request, pk: int):
    candidate = get_candidate_for_user(request.user, pk)
    return render(request, "candidates/detail.html", {"candidate": candidate})
