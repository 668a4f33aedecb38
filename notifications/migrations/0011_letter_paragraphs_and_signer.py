"""The standard letter as paragraphs (no hard line breaks inside one: the page and the printer wrap them), signed
with the name and role of the LE Lead who drafts it (issue 18). A template an administrator edited is left alone."""

from django.db import migrations

OLD_BODY = """Albuquerque Police Department
Violence Intervention Program

{{ today|date:"F j, Y" }}

Dear {{ candidate.full_name }},

We are reaching out to you because we care about your safety. People close to the violence in our city
are at the highest risk of being shot or of going to prison, and we do not want either to happen to you.

We also want you to know, plainly, what happens if you choose to be involved in violent crime:

{{ penalties }}

You do not have to face this alone. The Violence Intervention Program can help you today with shelter,
rental assistance, job training, mental health care and food, and the people with us can connect you now.

This conversation is voluntary. You can ask us to leave at any time.

VIP Law Enforcement Lead
Albuquerque Police Department
"""

NEW_BODY = """Albuquerque Police Department
Violence Intervention Program

{{ today|date:"F j, Y" }}

Dear {{ candidate.full_name }},

We are reaching out to you because we care about your safety. People close to the violence in our city are at \
the highest risk of being shot or of going to prison, and we do not want either to happen to you.

We also want you to know, plainly, what happens if you choose to be involved in violent crime:

{{ penalties }}

You do not have to face this alone. The Violence Intervention Program can help you today with shelter, rental \
assistance, job training, mental health care and food, and the people with us can connect you now.

This conversation is voluntary. You can ask us to leave at any time.

{{ signer }}
{{ signer_role }}
Albuquerque Police Department
"""


def _swap(apps, old, new):
    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    LetterTemplate.objects.filter(name="Standard VIP letter", body=old).update(body=new)


def forward(apps, schema_editor):
    _swap(apps, OLD_BODY, NEW_BODY)


def backward(apps, schema_editor):
    _swap(apps, NEW_BODY, OLD_BODY)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0010_trainee_label")]
    operations = [migrations.RunPython(forward, backward)]
