"""Accessibility the templates owe every page (issue #18 item 10): help and errors tied to their field with the
ids Django's widgets point at, a focus ring of at least 3:1, and no unnamed filter link in the admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


class CaseForm(forms.Form):
    reference = forms.CharField(label="Reference", help_text="For example CAD-2026-001234.")
    agree = forms.BooleanField(label="Agreed", help_text="Tick when the person agreed.")
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one."
    )


def described_ids(html: str) -> set[str]:
    return {i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()}


def ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.parametrize("template", ["tablet/_field.html", "reports/_field.html"])
def test_every_aria_describedby_in_a_field_points_at_something_on_the_page(template):
    form = CaseForm(data={"reference": ""})
    form.is_valid()
    html = "".join(render_to_string(template, {"field": field}) for field in form)
    assert described_ids(html) and described_ids(html) <= ids(html)


def test_the_help_text_of_a_field_is_tied_to_it():
    html = render_to_string("tablet/_field.html", {"field": CaseForm()["reference"]})
    assert 'aria-describedby="id_reference_helptext"' in html and 'id="id_reference_helptext"' in html


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_variable(name: str) -> str:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "vip.css").read_text()
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css).group(1)


@pytest.mark.parametrize("background", ["#ffffff", "bg"])
def test_the_focus_ring_stands_out_3_to_1_on_the_light_pages(background):
    colour = css_variable("bg") if background == "bg" else background
    assert contrast(css_variable("focus"), colour) >= 3


def test_the_focus_ring_on_the_dark_top_bar_stands_out_3_to_1():
    assert contrast(css_variable("focus-on-dark"), "#0d2438") >= 3


def test_the_audit_admin_names_the_filter_for_events_about_no_record(client, administrator):
    from vip.audit import audit

    audit(actor=None, action="login", object_type="", object_id="", note="A sign-in about no record.")
    client.force_login(administrator)
    page = client.get("/admin/vip/auditevent/").content.decode()
    assert '<a href="?object_type=">(no record type)</a>' in page


def test_the_audit_lists_record_type_filter_points_at_its_help(client, program_manager):
    client.force_login(program_manager)
    page = client.get("/audit/").content.decode()
    field = re.search(r'<input[^>]*name="object_type"[^>]*>', page).group(0)
    assert 'aria-describedby="id_object_type_helptext"' in field and 'id="id_object_type_helptext"' in page
