"""Audited corrections: the one way to change what the SOP freezes (`rules.CORRECTABLE`).

The VIP LE Lead proposes a change of one field of a frozen record with a reason; a Program Manager who is not
the proposer approves it (and the change is applied, past the freeze, in one transaction) or refuses it with a
reason. Each of the three writes an `AuditEvent` of action `correction`; the approval's keeps the old and the
new value. The CN page shows every correction of its CN. See docs/access-and-audit.md, "Audited corrections".
"""
