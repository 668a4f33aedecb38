"""Behind PgBouncer in transaction mode (DATABASE_POOLER=transaction, issue 21 part 6) a database session is not
the connection's: the name search's trigram threshold, set per session otherwise, goes with each statement."""

from __future__ import annotations

from candidates.apps import NAME_SEARCH_WORD_SIMILARITY, _with_trigram_threshold


def test_a_name_search_carries_its_threshold_in_its_own_transaction_and_other_statements_go_as_they_are():
    sent = []

    def execute(sql, params, many, context):
        sent.append(sql)

    search = 'SELECT 1 FROM "candidates_candidate" WHERE "search_text" %%> %s'
    other = 'SELECT 1 FROM "candidates_candidate" WHERE "id" = %s'
    _with_trigram_threshold(execute, search, ["garrety"], False, {})
    _with_trigram_threshold(execute, other, [1], False, {})
    threshold = f"SELECT set_config('pg_trgm.word_similarity_threshold', '{NAME_SEARCH_WORD_SIMILARITY}', true); "
    assert sent == [threshold + search, other]
