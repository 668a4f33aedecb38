from django.contrib.auth.password_validation import MinimumLengthValidator as _DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Allow long passphrases (at least 64 characters, NIST 800-63B) but refuse absurd input."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Your password can be up to {self.max_length} characters; a long passphrase is best."


class MinimumLengthValidator(_DjangoMinimumLengthValidator):
    """At least 8 characters (CJIS IA-5); the help text suggests a passphrase of 15 or more."""

    def get_help_text(self):
        return (
            f"Your password must contain at least {self.min_length} characters; a passphrase of 15 or more "
            "is best. No special characters are required."
        )
