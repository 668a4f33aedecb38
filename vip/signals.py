from contextvars import ContextVar

from django.dispatch import Signal

from vip.audit import audit
from vip.security import start_session_clock

# Sent after commit when a CN changed state: kwargs delivery_id, from_state, to_state.
delivery_transitioned = Signal()


# --- sign-in, failed sign-in and sign-out in the audit trail (CJIS AU-2) ---------------------------------
# Set by the test client's force_login, so shortcut logins in tests do not add audit rows.
quiet_login: ContextVar[bool] = ContextVar("vip_quiet_login", default=False)


def on_user_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    if not quiet_login.get():
        audit(actor=user, action="login", note="Password accepted.", request=request)


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    audit(
        actor=None,
        action="login_failed",
        object_type="auth.User",
        object_id=username[:64],
        note=f"Failed sign-in for username {username!r}.",
        request=request,
    )


def on_user_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    note = getattr(request, "vip_logout_reason", "") or "Signed out."
    audit(actor=user, action="logout", note=note, request=request)


def connect_auth_signals():
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_user_logged_in, dispatch_uid="vip_audit_login")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="vip_audit_login_failed")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="vip_audit_logout")
