"""A förbund's follow-up, as database reads and writes (services flush, the caller commits).

- :mod:`.protocols`: importing published protocols, the data-collection plan, local items;
- :mod:`.waves`: local groups, waves and their states, the open link;
- :mod:`.answering`: anonymous answering, resuming, submitting, longitudinal codes;
- :mod:`.entry`: paper questionnaires, logged corrections, importing answers from a file;
- :mod:`.register`: register and document figures, narratives;
- :mod:`.exports`: the raw answers of a wave (CSV, XLSX, JSON).
"""

from .answering import (
    answered_items,
    code_row,
    codes_answered,
    current_values,
    generate_codes,
    normalise_code,
    purge_drafts,
    questionnaire_for,
    resume,
    save_section,
    start,
    start_with_code,
    store_answers,
    submit,
    waves_for_code,
)
from .errors import FollowupError
from .protocols import (
    ITEM_TYPES,
    LOCAL_TEXT_LIMIT,
    ImportProblem,
    ImportResult,
    add_local_item,
    check_options,
    collection_plan,
    delete_local_item,
    edit_item,
    import_document,
    imported_versions,
    local_item,
    local_items,
    plan_by_indicator,
    plan_table,
)
from .waves import (
    add_local_group,
    counts,
    create_wave,
    local_groups,
    move_wave,
    new_open_link,
    rename_local_group,
    respondent_group_name,
    respondent_groups,
    time_point_text,
    timepoints,
    wave_by_token,
    wave_notice,
    wave_of,
    wave_summary,
    waves,
)

__all__ = [
    "ITEM_TYPES",
    "LOCAL_TEXT_LIMIT",
    "FollowupError",
    "ImportProblem",
    "ImportResult",
    "add_local_group",
    "add_local_item",
    "answered_items",
    "check_options",
    "code_row",
    "codes_answered",
    "collection_plan",
    "counts",
    "create_wave",
    "current_values",
    "delete_local_item",
    "edit_item",
    "generate_codes",
    "import_document",
    "imported_versions",
    "local_groups",
    "local_item",
    "local_items",
    "move_wave",
    "new_open_link",
    "normalise_code",
    "plan_by_indicator",
    "plan_table",
    "purge_drafts",
    "questionnaire_for",
    "rename_local_group",
    "respondent_group_name",
    "respondent_groups",
    "resume",
    "save_section",
    "start",
    "start_with_code",
    "store_answers",
    "submit",
    "time_point_text",
    "timepoints",
    "wave_by_token",
    "wave_notice",
    "wave_of",
    "wave_summary",
    "waves",
    "waves_for_code",
]

# --- followup-entry ---
from .entry import (  # noqa: E402
    ImportPreview,
    correct_answer,
    corrections,
    delete_response,
    deletions,
    enter_paper,
    import_answers,
    preview_import,
    response_of,
    staff_entered,
)
from .exports import FORMATS as EXPORT_FORMATS  # noqa: E402
from .exports import answers_table, export_name, render_answers  # noqa: E402
from .register import (  # noqa: E402
    figures,
    narratives,
    preview_figures,
    save_figure,
    save_figures,
    save_narrative,
)

__all__ += [
    "EXPORT_FORMATS",
    "ImportPreview",
    "answers_table",
    "correct_answer",
    "corrections",
    "delete_response",
    "deletions",
    "enter_paper",
    "export_name",
    "figures",
    "import_answers",
    "narratives",
    "preview_figures",
    "preview_import",
    "render_answers",
    "response_of",
    "save_figure",
    "save_figures",
    "save_narrative",
    "staff_entered",
]

# --- followup-results ---
from .results import FORMATS as RESULT_FORMATS  # noqa: E402
from .results import build_results, check_hidden, render_results, results_name  # noqa: E402
from .results_cache import cached_html, cached_results  # noqa: E402

__all__ += [
    "RESULT_FORMATS",
    "build_results",
    "cached_html",
    "cached_results",
    "check_hidden",
    "render_results",
    "results_name",
]

# --- followup-results: free texts and their review ---
from .free_text import free_texts, review_free_text  # noqa: E402

__all__ += ["free_texts", "review_free_text"]

# --- national: the aggregate report, its import and the national figures ---
from . import national  # noqa: E402
from .national import (  # noqa: E402
    ReceiveResult,
    latest_of_study,
    national_cells,
    own_comparison,
    owner_on_platform,
    receive_report,
    render_cells,
    report_name,
    share_label,
    share_of_wave,
    share_wave,
    wave_report,
)

__all__ += [
    "ReceiveResult",
    "latest_of_study",
    "national",
    "national_cells",
    "own_comparison",
    "owner_on_platform",
    "receive_report",
    "render_cells",
    "report_name",
    "share_label",
    "share_of_wave",
    "share_wave",
    "wave_report",
]
