"""What staff watch while a round runs: the presenter mode shown to the room (projector) and
the live state both it and the round's page poll.

Each page is rendered with the round's state (``data-state``: ``live_state``); the poll answers
the state now, so a page that missed a change between rendering and its first poll still sees
it (the first poll runs at once).
"""

from flask import jsonify, render_template, request

from ...auth.access import staff
from ...auth.roles import STUDY_STAFF
from .. import services
from ..lifecycle import Status
from . import bp
from ._common import _round, live_state, status_label

#: Results on the projector: seconds a page stays before the next (the viewer may pause).
PAGE_SECONDS = 12
#: The live histogram of an approval or ranking round shows at most this many indicators
#: (those with the most votes or first places), so that it fits the screen.
MOST_BARS = 20


def _histogram_on() -> bool:
    return request.args.get("fordelning") == "1"


def _histogram(r, answered: int) -> dict:
    """The live histogram, only once at least the study's smallest reported group has
    answered (a count of one or two answers would show how someone voted)."""
    least = max(r.study.min_group_size or 1, 3)
    if answered < least:
        return {"shown": False, "least": least}
    bars = services.live_histogram(r)
    if len(bars) > MOST_BARS:  # never for a rating round: its bars are 1-9
        bars = sorted(bars, key=lambda bar: -bar[1])[:MOST_BARS]
    return {"shown": True, "least": least, "bars": bars}


@bp.route("/studier/<slug>/omgangar/<int:number>/projektor")
@staff(*STUDY_STAFF)
def projector(number: int):
    from ...studies.views import current_study, qr_svg

    study = current_study()
    r = _round(study, number)
    join_url = mailing_join_url(study)
    page = services.results_page(r, sort="rank") if r.status == Status.CLOSED else None
    counts = services.response_counts(r)
    histogram_on = _histogram_on() and r.status == Status.OPEN
    return render_template(
        "rounds/projector.html",
        study=study,
        round=r,
        counts=counts,
        join_url=join_url,
        qr=qr_svg(join_url, fit=True) if join_url else None,
        page=page,
        histogram_on=histogram_on,
        histogram=_histogram(r, counts["answered"]) if histogram_on else None,
        page_seconds=PAGE_SECONDS,
        most_bars=MOST_BARS,
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/status.json")
@staff(*STUDY_STAFF)
def round_status(number: int):
    """The live state: status, counts overall and per group, and (``?fordelning=1``, open
    rounds) the histogram. ``state`` is what a page compares with the one it was rendered
    with."""
    from ...studies.views import current_study

    r = _round(current_study(), number)
    counts = services.response_counts(r)
    progress = services.progress_counts(r)
    body = {
        "round": r.number,
        "status": r.status,
        "state": live_state(r),
        "status_label": status_label(r.status),
        "invited": counts["invited"],
        "answered": counts["answered"],
        "groups": {
            code: {
                "name": counts["group_names"].get(code, code),
                **numbers,
                **_progress_numbers(progress["groups"].get(code)),
            }
            for code, numbers in counts["groups"].items()
        },
        **_progress_numbers(progress),
    }
    if _histogram_on() and r.status == Status.OPEN:
        body["histogram"] = _histogram(r, counts["answered"])
    return jsonify(body)


def _progress_numbers(block: dict | None) -> dict:
    """Complete / partial / not started / without email (the old ``answered`` counts anyone
    with one answer)."""
    block = block or {}
    return {key: block.get(key, 0) for key in ("complete", "partial", "not_started", "no_email")}


def mailing_join_url(study) -> str | None:
    from ...studies.views import _join_url

    return _join_url(study.join_code) if study.join_code else None
