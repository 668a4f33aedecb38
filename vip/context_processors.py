from vip import roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    names = roles.role_names(user)
    return {
        "nav_roles": names,
        "is_le_lead": roles.LE_LEAD in names,
        "is_program_manager": roles.PROGRAM_MANAGER in names,
        "is_officer": roles.OFFICER in names,
        "is_social_services": roles.SOCIAL_SERVICES in names,
        "is_administrator": roles.ADMINISTRATOR in names or user.is_staff,
    }
