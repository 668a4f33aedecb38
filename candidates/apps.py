from django.apps import AppConfig

# pg_trgm's default word-similarity threshold (0.6) misses common misspellings of names ("Garrety" for
# "Garrity" scores 0.5); 0.4 finds them, and results are ranked by similarity so the best come first.
NAME_SEARCH_WORD_SIMILARITY = 0.4


def _set_trigram_threshold(sender, connection, **kwargs):
    """Each new database connection sets the threshold for its session; behind a pooler in transaction mode
    (DATABASE_POOLER=transaction) a session is not the connection's, so each statement that compares by word
    similarity carries it instead (`_with_trigram_threshold`)."""
    from django.conf import settings

    if settings.DATABASE_POOLER == "transaction":
        if _with_trigram_threshold not in connection.execute_wrappers:
            connection.execute_wrappers.append(_with_trigram_threshold)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(NAME_SEARCH_WORD_SIMILARITY)]
        )


# The word-similarity operators (`<%`, `%>`, and their strict forms) as Django writes them, % doubled.
_WORD_SIMILAR = ("<%%", "%%>")
_LOCAL_THRESHOLD = f"SELECT set_config('pg_trgm.word_similarity_threshold', '{NAME_SEARCH_WORD_SIMILARITY}', true); "


def _with_trigram_threshold(execute, sql, params, many, context):
    """A statement comparing by word similarity is sent after a transaction-local setting of the threshold,
    in the same round trip (as vip.audit.with_audit_context sends who is acting)."""
    if not many and params is not None and any(op in sql for op in _WORD_SIMILAR):
        sql = _LOCAL_THRESHOLD + sql
    return execute(sql, params, many, context)


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "Candidates and intake"

    def ready(self):
        from django.db.backends.signals import connection_created

        from candidates.models import Candidate
        from candidates.sealing import SEALING_FIELDS
        from candidates.selectors import candidates_visible_to
        from vip import scopes

        connection_created.connect(_set_trigram_threshold, dispatch_uid="candidates_trigram_threshold")

        def sealed_ids() -> list[str]:
            return [str(pk) for pk in Candidate.objects.sealed().values_list("pk", flat=True)]

        # the admin and the audit trail (in vip, below this app) apply the candidates' access rule through it
        scopes.register(
            Candidate, candidates_visible_to, link="candidate", sealed_ids=sealed_ids, sealing_fields=SEALING_FIELDS
        )
        _declare_people_records()
        _wall_off_aftercare()


def _declare_people_records() -> None:
    """The records that name a person: a request that loads one names it, and its person, in its one audit
    row (vip/audit/reads.py; issue 17). Shootings, groups and meetings name people only through these."""
    from candidates import models as m
    from candidates.history import HISTORY_MODELS
    from vip.audit import reads

    reads.register(m.Candidate)
    # the records of a person's history, and their part in a shooting (which the history leaves to the shooting)
    # and their identification by a GVIS meeting (the weekly review, notifications/review/)
    for model in (
        *(model for model in HISTORY_MODELS if model is not m.Candidate),
        m.ShootingParticipant,
        m.GVISIdentification,
    ):
        reads.register(model, person="candidate")
    # a merge and a likely pair name two people (candidates.merging); the read row names the first
    reads.register(m.CandidateMerge, person="survivor")
    reads.register(m.DuplicatePair, person="first")


def _wall_off_aftercare() -> None:
    """Issue 19: the records after the door name a person (each read is audited), their contents are withheld
    from the audit trail's readers, and the admin scopes them by the wall's selectors (candidates/aftercare)."""
    from candidates.aftercare import models as a
    from candidates.aftercare import selectors
    from vip import scopes
    from vip.audit import reads

    walled = {
        a.Need: selectors.needs_visible_to,
        a.PartnerReferral: selectors.referrals_visible_to,
        a.Consent: selectors.consents_visible_to,
        a.CaseNote: selectors.case_notes_visible_to,
        a.NavigatorAssignment: selectors.assignments_visible_to,
    }
    for model, visible_to in walled.items():
        reads.register(model, person="candidate")
        scopes.register(model, visible_to)
        scopes.register_walled(model)
