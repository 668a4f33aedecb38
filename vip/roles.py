"""The program's roles, as Django groups, and the named helpers every interface asks.

Groups are created with their permissions by the data migration `vip/migrations/0002_roles.py`.
"""

from __future__ import annotations

import json

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL

LE_LEAD = "VIP Law Enforcement Lead"
PROGRAM_MANAGER = "Program Manager"
OFFICER = "Officer"
SOCIAL_SERVICES = "Social Services"
ADMINISTRATOR = "Administrator"
RECORDS_CUSTODIAN = "Records Custodian"

ALL_ROLES = [LE_LEAD, PROGRAM_MANAGER, OFFICER, SOCIAL_SERVICES, ADMINISTRATOR, RECORDS_CUSTODIAN]

# The roles that read candidate records (every one but the Administrator's).
RECORD_ROLES = frozenset({LE_LEAD, PROGRAM_MANAGER, OFFICER, SOCIAL_SERVICES, RECORDS_CUSTODIAN})
# A grant of these takes effect only when a second person approves it (issue 17, CJIS AC-5; vip.grants): the
# roles that read records, and the Administrator, who manages accounts. A group not named here is given at once.
ROLES_NEEDING_APPROVAL = RECORD_ROLES | {ADMINISTRATOR}


def conflicting_roles(role: str, others) -> set[str]:
    """The roles among `others` that no one may hold with `role`. The Administrator, who manages the accounts,
    never reads candidate records (separation of duties, issue 17): no one is both an Administrator and holds a
    role that reads records."""
    others = set(others)
    if role == ADMINISTRATOR:
        return others & RECORD_ROLES
    if role in RECORD_ROLES:
        return others & {ADMINISTRATOR}
    return set()


def role_names(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_vip_role_names", None)
    if cached is None:
        read = getattr(user, READ_WITH_USER, None)  # `with_role_names`: read with the user, no query now
        cached = set(json.loads(read)) if read is not None else set(user.groups.values_list("name", flat=True))
        user._vip_role_names = cached
    return cached


READ_WITH_USER = "vip_role_names"


def with_role_names(queryset: QuerySet, user_key: str = "id") -> QuerySet:
    """`queryset` with the names of the roles of the user its rows are (or whose key is in the column
    `user_key`) read in the same query: every page asks the signed-in user's roles, which was a query of its
    own on each request (`vip.auth_backends`, `vip.api_auth`)."""
    links, groups = User.groups.through._meta, Group._meta
    sql = (
        f"(SELECT COALESCE(json_agg(g.name)::text, '[]') FROM {groups.db_table} g "  # noqa: S608 - table names, no input
        f"JOIN {links.db_table} ug ON ug.group_id = g.id "
        f"WHERE ug.user_id = {queryset.model._meta.db_table}.{user_key})"
    )
    return queryset.annotate(**{READ_WITH_USER: RawSQL(sql, [], output_field=TextField())})  # noqa: S611


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))


def is_le_lead(user) -> bool:
    return has_role(user, LE_LEAD)


def is_program_manager(user) -> bool:
    return has_role(user, PROGRAM_MANAGER)


def is_officer(user) -> bool:
    return has_role(user, OFFICER)


def is_social_services(user) -> bool:
    return has_role(user, SOCIAL_SERVICES)


def is_administrator(user) -> bool:
    return has_role(user, ADMINISTRATOR)


def is_records_custodian(user) -> bool:
    return has_role(user, RECORDS_CUSTODIAN)


def sees_all_candidates(user) -> bool:
    """The LE Lead and the Program Manager see every (unsealed) record, adults and juveniles."""
    return has_role(user, LE_LEAD, PROGRAM_MANAGER)


def home_url_name(user) -> str:
    """Where each role works: the LE Lead and Program Manager their overview, officers their deliveries."""
    if is_le_lead(user):
        return "notifications:board"
    if is_program_manager(user):
        return "notifications:board"
    if is_officer(user):
        return "tablet:home"  # "My deliveries": the one list an officer works from
    if is_social_services(user) or is_records_custodian(user):
        return "candidates:list"
    if is_administrator(user) or user.is_staff:
        return "admin:index"
    return "no_role"
