"""What the apps above add to the candidate pages, without `candidates` importing them (docs/architecture.md).

`candidates` sits below `notifications` in the layers, yet the candidate page shows the person's CNs and the
candidate list the state of their latest CN. The app that owns those registers them here, in its
`AppConfig.ready()` (notifications/candidate_pages.py):

- a section of the candidate page (`add_page_section`): a template rendered into the slot of that name
  (`{{ sections.cns }}` in templates/candidates/_detail_body.html) with what `context(user, candidate,
  params)` returns; `params` are the query parameters the section reads (`?cns=all`), part of what the
  kept page is kept under;
- a column of the candidate list and API (`add_list_column`): an annotation of the list's query (its name is
  the API's field), a header and a cell of the list page. Its filter extends `CandidateFilter`
  (`candidates.filters.CandidateFilter.add_filter`);
- a reason a merge of two records must wait (`add_merge_check`): `check(survivor, merged)` returns the
  reasons, by name, in words (notifications: both records have open CNs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Expression
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from vip.context_processors import role_flags


@dataclass(frozen=True)
class PageSection:
    slot: str
    template: str
    context: Callable[..., dict]  # (user, candidate, params) -> the section's template context
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListColumn:
    name: str  # the annotation on each row of `candidate_list_for`, and the API's field
    header: str
    expression: Callable[[], Expression]
    cell: Callable[[object], SafeString]  # the value of the annotation -> the list page's cell


PAGE_SECTIONS: dict[str, PageSection] = {}
LIST_COLUMNS: dict[str, ListColumn] = {}


def add_page_section(slot: str, template: str, context: Callable[..., dict], *, params: tuple[str, ...] = ()):
    PAGE_SECTIONS[slot] = PageSection(slot, template, context, params)


def add_list_column(name: str, header: str, expression: Callable[[], Expression], cell: Callable[[object], SafeString]):
    LIST_COLUMNS[name] = ListColumn(name, header, expression, cell)


MERGE_CHECKS: list[Callable[..., dict[str, str]]] = []


def add_merge_check(check: Callable[..., dict[str, str]]) -> None:
    if check not in MERGE_CHECKS:
        MERGE_CHECKS.append(check)


def page_params(query: Mapping[str, str]) -> dict[str, str]:
    """The query parameters the page's sections read, with their values ("" when absent)."""
    return {name: query.get(name, "") for section in PAGE_SECTIONS.values() for name in section.params}


def render_sections(user, candidate, params: dict[str, str]) -> dict[str, SafeString]:
    """Each registered section rendered, by slot: the candidate page puts each in its place."""
    return {
        slot: render_to_string(
            section.template, {"candidate": candidate, **role_flags(user), **section.context(user, candidate, params)}
        )
        for slot, section in PAGE_SECTIONS.items()
    }
