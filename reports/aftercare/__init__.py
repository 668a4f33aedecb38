"""The pages and the API after the door (issue 19): a navigator's caseload, a person's needs, referrals, consent
and case notes. The records and the wall are `candidates.aftercare`; these only check access, call one service,
and map its refusal to the page or to 400/409."""
