"""Finding things (issue 18, item 4): the header's search by name, alias or CN number, the LE Lead's caseload
by next due step, and the calendar of planned deliveries by week.

Each reads through the access rules every list reads through (`candidates_visible_to` by way of
`candidate_list_for`, `deliveries_visible_to`), so a page here shows no one a list would not; the due times are
the rulebook's (`notifications.rules`). Each page is a list of people in the sense of the read audit: its
request is recorded with what was asked, even when it found nobody (`vip.audit.middleware.PEOPLE_LISTS`).
"""
