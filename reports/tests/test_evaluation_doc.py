"""docs/evaluation.md says what the funnel and the follow-up pages count, in the words the pages show: one
home for each definition (the modules), and the document kept in step with them."""

from pathlib import Path

import pytest

from reports import follow_up, funnel

DOC = (Path(__file__).resolve().parents[2] / "docs" / "evaluation.md").read_text()

DEFINITIONS = (
    [stage.definition for stage in funnel.STAGES]
    + [exit.definition for exit in funnel.EXITS]
    + [funnel.WALL_DEFINITION, funnel.TIMES_DEFINITION]
    + list(follow_up.DEFINITIONS.values())
    + [definition for _, _, definition in follow_up.NEWS_FIGURES]
)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda text: text[:40])
def test_the_evaluation_doc_defines_each_figure_in_the_words_of_the_page(definition):
    assert definition in DOC
