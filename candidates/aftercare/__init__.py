"""After the door (issue 19): a person's needs, referrals to partners followed to their result, consent, and the
navigator's case notes, behind a one-way wall between services and enforcement.

These are person records, so they live in `candidates` (the layer of people); the pages and the API that show
them are `reports.aftercare`, and the follow-up reminder is the reminder sweep's (`notifications.reminders`).

- `kinds.py`: the areas of need (also a partner's service types), in one place;
- `models.py`: `Need`, `PartnerContact`, `PartnerReferral`, `Consent`, `CaseNote`, `NavigatorAssignment`;
- `selectors.py`: THE WALL: who sees which of these records (Social Services; the Program Manager only what the
  person consented to show them; nobody else, on any interface);
- `services.py`: every write (`need_set`, `referral_create`, `referral_record_result`, `consent_record`,
  `consent_withdraw`, `case_note_add`, `navigator_assign`), each audited.
"""
