"""The API's JSON parser: DRF's, refusing with a 400 what would otherwise end in a server error (ASVS 5.1).

- nesting deeper than VIP_JSON_MAX_DEPTH (5,000 nested lists exhausted Python's recursion: a 500);
- numbers that are not finite (`1e400`, `NaN`, `Infinity`: an id of `1e400` overflowed: a 500);
- a NUL character in any string (PostgreSQL refuses to store one: a 500).
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NUL_MESSAGE = "A value contains a NUL character, which this system does not accept. Remove it and try again."


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError(f"The number {text[:40]} is too large. Send a number in the usual range.")
    return value


def _no_constants(name: str):
    raise ParseError(f"{name} is not a number this system accepts.")


def check_value(data, max_depth: int) -> None:
    """Walk the parsed body without recursion: refuse deep nesting and NUL characters."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(NUL_MESSAGE)
            continue
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise ParseError(f"The JSON is nested more than {max_depth} levels deep; send a flatter body.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise ParseError(NUL_MESSAGE)
                stack.append((item, depth + 1))


class SafeJSONParser(JSONParser):
    """DRF's JSONParser (the default for every API view) with the limits above."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError as exc:
            raise ParseError(f"The body is not valid {encoding} text.") from exc
        try:
            data = json.loads(text, parse_float=_finite, parse_constant=_no_constants)
        except RecursionError:
            raise ParseError(
                f"The JSON is nested more than {settings.VIP_JSON_MAX_DEPTH} levels deep; send a flatter body."
            ) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error: {exc}") from None
        check_value(data, settings.VIP_JSON_MAX_DEPTH)
        return data
