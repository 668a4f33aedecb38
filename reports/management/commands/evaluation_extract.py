"""`manage.py evaluation_extract --out DIR --reason "..." [--dua REF]`: the evaluation extract, from the server.

Run by an operator (no application user): the audit trail records it as the system's, with the reason, the
agreement and the account that ran it (reports/extract.py, docs/evaluation-extract.md).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.extract import evaluation_extract
from vip.errors import DomainError


class Command(BaseCommand):
    help = (
        "Write the evaluation extract (people.csv, cns.csv, outcome_events.csv and datapackage.json) into DIR. "
        "Refused when a combination of age band, sex, area and month of delivery describes fewer than 5 people, "
        "unless --dua names the data-use agreement. Audited with its reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the folder to write the files into (created if needed)")
        parser.add_argument("--reason", required=True, help="why: who asked for it, for what evaluation (audited)")
        parser.add_argument("--dua", default="", help="the data-use agreement's reference, when one is signed")

    def handle(self, *args, out, reason, dua, **options):
        folder = Path(out)
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"{folder} is not empty: give a new or empty folder, so no older file is mixed in.")
        try:
            extract = evaluation_extract(reason=reason, dua=dua)
        except DomainError as refused:
            raise CommandError(refused.message) from None
        for path in extract.write_to(folder):
            self.stdout.write(f"Wrote {path}")
        rows = ", ".join(f"{count} {name}" for name, count in extract.rows.items())
        self.stdout.write(f"Extract {extract.extract_id}: {rows}. Recorded in the audit trail.")
