from django.db import migrations

BODY = """Albuquerque Police Department
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


def create(apps, schema_editor):
    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    LetterTemplate.objects.get_or_create(name="Standard VIP letter", defaults={"body": BODY, "active": True})


def remove(apps, schema_editor):
    apps.get_model("notifications", "LetterTemplate").objects.filter(name="Standard VIP letter").delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
