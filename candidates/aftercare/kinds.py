"""The areas of a person's needs: what a navigator assesses, what a referral is for, and what a partner takes.

Kept apart from the models so that `PartnerOrganization` (candidates/models.py) can name its service types
without importing the records that point to it.
"""

from __future__ import annotations

from django.db import models


class Area(models.TextChoices):
    HOUSING = "housing", "Housing"
    EMPLOYMENT = "employment", "Employment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    EDUCATION = "education", "Education"
    FOOD = "food", "Food"
    LEGAL = "legal", "Legal"
    RELOCATION = "relocation", "Relocation"
    OTHER = "other", "Other"


# 42 CFR Part 2: information about substance use treatment is disclosed only under a Part 2 consent, and every
# disclosure carries the notice below (42 CFR 2.32(a)(1), the statement required with each disclosure made with
# the patient's consent).
PART2_AREAS = frozenset({Area.SUBSTANCE_USE})

REDISCLOSURE_NOTICE = (
    "42 CFR part 2 prohibits unauthorized use or disclosure of these records. This information has been "
    "disclosed to you from records protected by federal confidentiality rules (42 CFR part 2). The federal "
    "rules prohibit you from making any further disclosure of information in this record that identifies a "
    "patient as having or having had a substance use disorder either directly, by reference to publicly "
    "available information, or through verifiable means unless further disclosure is expressly permitted by "
    "the written consent of the individual whose information is being disclosed or as otherwise permitted by "
    "42 CFR part 2. A general authorization for the release of medical or other information is NOT sufficient "
    "for this purpose (see 42 CFR 2.31). The federal rules restrict any use of the information to investigate "
    "or prosecute with regard to a crime any patient with a substance use disorder, except as provided at "
    "42 CFR 2.12(c)(5) and 2.65."
)


def is_part2(area: str) -> bool:
    return area in PART2_AREAS
