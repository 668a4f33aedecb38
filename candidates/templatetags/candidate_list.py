"""The rows of the candidate list (templates/candidates/list.html), written in Python.

Rendered by the template engine, 25 rows of five cells cost 5 ms of each search (issue #9): every variable,
loop and `{% url %}` goes through the engine's look-ups. Here each row is one format string, with the same
markup and the same escaping (`format_html`). What a row shows is decided where it was before: the access
rules in `selectors.candidate_list_for` (which aliases and groups are listed), the age and juvenile status on
the model.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from candidates.extensions import LIST_COLUMNS
from candidates.models import today

register = template.Library()

NONE = mark_safe('<span class="muted">none</span>')  # noqa: S308 - constant markup
JUVENILE = mark_safe(' <span class="badge badge-juvenile">Juvenile</span>')  # noqa: S308 - constant markup
# Only the Records Custodian's lists ever hold a sealed record (selectors.candidates_visible_to).
SEALED = mark_safe(' <span class="badge badge-sealed">Sealed</span>')  # noqa: S308 - constant markup
ROW_START = """
    <tr>
      <td><a href="{}">{}</a>{}</td>
      <td>{}</td>
      <td>{}{}</td>
      <td>{}</td>"""
CELL = """
      <td>{}</td>"""
ROW_END = """
    </tr>
  """


@register.simple_tag
def candidate_rows(candidates) -> SafeString:
    """A <tr> a candidate read by `selectors.candidate_list_for`: name (a link to the page, and the sealed badge
    only the custodian's list can show), aliases, age (and the juvenile badge), groups, then a cell for each
    column another app adds (candidates.extensions: the latest CN's state)."""
    on, columns = today(), list(LIST_COLUMNS.values())
    row = ROW_START + CELL * len(columns) + ROW_END
    # The candidate page's address is reversed once, with 0 for the id, not once a row (50 µs each).
    head, _zero, tail = reverse("candidates:detail", args=[0]).rpartition("0")
    return format_html_join(
        "",
        row,
        (
            (
                f"{head}{c.pk}{tail}",
                _name(c),
                SEALED if c.sealed_at is not None else "",
                _names(c.listed_aliases),
                c.age(on),
                JUVENILE if c.is_juvenile(on) else "",
                _names(c.listed_groups),
                *(column.cell(getattr(c, column.name)) for column in columns),
            )
            for c in candidates
        ),
    )


def _name(c) -> str:
    return f"{c.last_name}, {c.first_name} {c.middle_name}" if c.middle_name else f"{c.last_name}, {c.first_name}"


def _names(rows: list[dict]) -> SafeString | str:
    return ", ".join(row["name"] for row in rows) if rows else NONE
