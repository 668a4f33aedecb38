"""The weekly review (GVIS, SOP 2-64-3 and 2-64-4 A.4): where CNs come from.

- `agenda`: what the meeting reviews, built on its own from the records (the shootings since the last meeting,
  the people named in two or more shootings within 12 months, the candidates whose open CNs are overdue by the
  rulebook's due times, the 5-year reviews that retention says are due);
- `services`: what the LE Lead records during the meeting (attendees, shootings reviewed, the people and groups
  identified with their evidence and SOP basis, a decision per person) and "open a CN", which goes through
  `notifications.services.delivery_create` so every rule of opening a CN applies;
- `views`: the pages under /candidates/gvis/ (mounted by the root urlconf: the meeting is a candidates record,
  the CNs it opens are this app's).

The records themselves (`GVISAttendee`, `GVISIdentification`, `GVISGroupIdentification`) live with the meeting
in candidates, so the layers below can read the meeting's provenance (the network).
"""
