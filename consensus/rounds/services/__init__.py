"""Reads and writes for Delphi rounds: ballots, answers, closing, decisions, feedback, exports.

Services flush and never commit; the view or command that calls them commits once (and rolls
back on a :class:`RoundError`). A round's status changes only through
``lifecycle.transition`` (see ``services.lifecycle._apply_transition``).

Saving answers and closing a round
----------------------------------
An answer is written as an upsert on the unique (round, participant, indicator). A save that
races the close of its round is either stored before the close (and counted in the results)
or refused with ``RoundError("round_closed")``, never accepted and then lost:

* PostgreSQL: a save reads the round ``FOR SHARE`` in its transaction; the close takes it
  ``FOR UPDATE`` (so it waits for the saves in flight), writes the status and only then reads
  the answers. A save that starts later waits for the close to commit and then sees "closed".
* SQLite: the first statement of a save is a no-op write to the round row
  (``UPDATE round SET id = id WHERE id = :id``) and only then does it read the status; the
  first statement of a close is the status write. Either takes SQLite's single write lock, so
  saves and the close are serialised, and a save after the close reads "closed" and is
  refused.

Deselection (approval) and un-ranking keep the answer's row with ``value`` NULL (its comment
stays); a rating can be cleared the same way. Only rows with a value, or "kan ej bedöma", are
votes.
"""

from ._common import RoundError
from .answers import (
    COMMENT_MAX,
    LockedBallot,
    feedback,
    lock_ballot,
    participant_answers,
    progress,
    save_answers,
    save_locked,
)
from .closing import (
    compute_round_results,
    confirm_decisions,
    decisions,
    invited,
    non_responders,
    response_counts,
)
from .completion import panel_progress, progress_counts, reminder_targets
from .lifecycle import (
    carried_over,
    close_due_rounds,
    close_round,
    create_round,
    open_round,
    reopen_round,
    run_schedule,
    set_round_rule,
    set_schedule,
)
from .paper import (
    PaperChange,
    enter_paper_ballot,
    import_ballots,
    paper_ballot_changes,
    parse_ballot_file,
)
from .reading import (
    ballot,
    decisive_rule,
    get_result,
    get_round,
    live_histogram,
    next_round,
    results_page,
    rounds,
)
from .reports import answers_long, report_data, set_report_texts
from .revisions import add_note, lineage, merge, notes, reword, split, wordings

__all__ = [
    "add_note",
    "answers_long",
    "ballot",
    "live_histogram",
    "carried_over",
    "close_due_rounds",
    "close_round",
    "COMMENT_MAX",
    "compute_round_results",
    "decisive_rule",
    "confirm_decisions",
    "create_round",
    "decisions",
    "enter_paper_ballot",
    "paper_ballot_changes",
    "PaperChange",
    "feedback",
    "get_result",
    "get_round",
    "import_ballots",
    "invited",
    "lineage",
    "merge",
    "next_round",
    "non_responders",
    "panel_progress",
    "progress_counts",
    "reminder_targets",
    "notes",
    "open_round",
    "parse_ballot_file",
    "participant_answers",
    "progress",
    "reopen_round",
    "report_data",
    "set_report_texts",
    "response_counts",
    "results_page",
    "reword",
    "RoundError",
    "rounds",
    "run_schedule",
    "save_answers",
    "save_locked",
    "lock_ballot",
    "LockedBallot",
    "set_round_rule",
    "set_schedule",
    "split",
    "wordings",
]
