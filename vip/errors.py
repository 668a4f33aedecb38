"""The one domain error type. Services raise it; the API maps it to 400/409, pages show its reasons."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of SOP 2-64 or of the product refused an action. `reasons` are sentences a person can act on."""

    status_code = 400

    def __init__(self, message: str, *, reasons: dict[str, str] | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.reasons = reasons or {}
        self.code = code

    def as_dict(self) -> dict:
        data: dict = {"detail": self.message, "code": self.code}
        if self.reasons:
            data["unmet_conditions"] = [{"name": k, "reason": v} for k, v in self.reasons.items()]
        return data


class TransitionRefused(DomainError):
    """A guard of the CN state machine is not met: 409 with the unmet conditions by name and in words."""

    status_code = 409

    def __init__(self, message: str, *, reasons: dict[str, str] | None = None):
        super().__init__(message, reasons=reasons, code="transition_refused")


class Conflict(DomainError):
    """Someone else moved the record at the same moment."""

    status_code = 409

    def __init__(self, message: str = "This CN was changed by someone else a moment ago. Reload it and try again."):
        super().__init__(message, code="conflict")


class NotPermitted(DomainError):
    status_code = 403

    def __init__(self, message: str):
        super().__init__(message, code="not_permitted")
