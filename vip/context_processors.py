from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe

from vip import roles
from vip.security import signin_complete


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    if not signin_complete(request):
        # Before the second factor and the notice, the header holds Sign out only: no menu (issue #18).
        return {"nav_roles": set(), "signin_pending": True}
    names = roles.role_names(user)
    flags = _flags(names, user.is_staff)
    return {
        **flags,
        "nav_links": _nav_links(frozenset(names), user.is_staff, get_script_prefix()),
        # The header's search (notifications/finding): for the roles that read people's records.
        "may_search": bool(names & roles.RECORD_ROLES),
    }


def role_flags(user) -> dict:
    """The role flags the templates test (`is_le_lead`, ...), for a part of a page rendered apart from its
    request (the candidate page's kept body and its sections): the same flags the menu is written from."""
    return _flags(roles.role_names(user), user.is_staff)


def _flags(names, is_staff: bool) -> dict:
    return {
        "nav_roles": names,
        "is_le_lead": roles.LE_LEAD in names,
        "is_program_manager": roles.PROGRAM_MANAGER in names,
        "is_officer": roles.OFFICER in names,
        "is_social_services": roles.SOCIAL_SERVICES in names,
        "is_administrator": roles.ADMINISTRATOR in names or is_staff,
        "is_records_custodian": roles.RECORDS_CUSTODIAN in names,
    }


@lru_cache(maxsize=256)
def _nav_links(names: frozenset, is_staff: bool, script_prefix: str) -> dict:
    """The main menu's links for one set of roles: the same on every page, so written once per set of roles
    (and address prefix) a process serves, not with a dozen URL reversals on each page (issue #9): the
    links before Reminders, those after, and those under "More"; the Reminders link itself carries each
    page's unread count."""
    links = render_to_string("_nav_links.html", _flags(names, is_staff))  # safe: written by the template
    rest, more = links.split("<!-- more -->")
    before, after = rest.split("<!-- reminders -->")
    before, after, more = (mark_safe(part.strip()) for part in (before, after, more))  # noqa: S308
    return {"before": before, "after": after, "more": more, "reminders": reverse("reminders:inbox")}
