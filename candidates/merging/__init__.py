"""One record per person: two records of one person made one, with the approval of a second person.

The LE Lead proposes (from the duplicate warning at intake, either person's page, or the nightly list of
likely pairs); the Program Manager, never the proposer, approves or refuses with a reason. The merge moves
every record related to the merged-away person onto the survivor (`relations`: found from the model graph),
keeps the other record's names as aliases and writes one `merge` row listing what moved. The same two people
undo it within `UNDO_DAYS`. The merged-away record then answers with a redirect to the survivor for whoever may
see the survivor, and 404 for anyone else (`candidates.selectors.get_candidate_for_user`).
"""
