"""Reads and writes for the measures survey and its review.

Services flush and never commit; the view or command that calls them commits once. Every
status changes through its transition function in :mod:`consensus.measures.lifecycle`.
Exports identify respondents only by pseudonym, level and organisation type.

``from consensus.measures import services`` and ``services.X`` keep working: this module
re-exports what the views, commands, other packages, the demo, tests and benchmarks use.
"""

from .. import models as measures_models  # noqa: F401  (complete the metadata)
from .common import MeasuresError
from .exports import export_document, export_proposals, export_tables
from .paper import import_paper_proposals, parse_paper_proposals
from .rating import (
    change_rating_status,
    expert_ratings,
    measure_votes_frame,
    rate_measures_decisions,
    rate_measures_stats,
    rating_ballot,
    rating_results,
    save_rating,
    save_ratings,
)
from .responding import (
    add_expert,
    delete_proposal,
    expert_targets,
    import_experts,
    join_open_link,
    parse_experts_file,
    respondent_by_token,
    respondent_for_participant,
    respondent_proposals,
    response_counts,
    save_comment,
    save_proposal,
    submit,
)
from .review import (
    MAX_QUESTIONS,
    QUESTION_LIMIT,
    check_questions,
    decide,
    edit_canonical,
    lineage,
    merge_proposals,
    response_frequencies,
    review_data,
    set_recommended,
)
from .survey import (
    add_workshop,
    change_status,
    close_if_due,
    core_set,
    create_survey,
    delete_workshop,
    disable_open_link,
    get_survey,
    new_open_link,
    set_indicators,
    survey_by_open_link,
    survey_indicators,
    update_survey,
    update_workshop,
    workshops,
)

__all__ = [
    "MAX_QUESTIONS",
    "QUESTION_LIMIT",
    "MeasuresError",
    "add_expert",
    "add_workshop",
    "change_rating_status",
    "change_status",
    "check_questions",
    "close_if_due",
    "core_set",
    "create_survey",
    "decide",
    "delete_proposal",
    "delete_workshop",
    "disable_open_link",
    "edit_canonical",
    "expert_ratings",
    "expert_targets",
    "export_document",
    "export_proposals",
    "export_tables",
    "get_survey",
    "import_experts",
    "import_paper_proposals",
    "join_open_link",
    "lineage",
    "measure_votes_frame",
    "merge_proposals",
    "new_open_link",
    "parse_experts_file",
    "parse_paper_proposals",
    "rate_measures_decisions",
    "rate_measures_stats",
    "rating_ballot",
    "rating_results",
    "respondent_by_token",
    "respondent_for_participant",
    "respondent_proposals",
    "response_counts",
    "response_frequencies",
    "review_data",
    "save_comment",
    "save_proposal",
    "save_rating",
    "save_ratings",
    "set_indicators",
    "set_recommended",
    "submit",
    "survey_by_open_link",
    "survey_indicators",
    "update_survey",
    "update_workshop",
    "workshops",
]
