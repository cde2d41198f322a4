"""The study overview's cockpit: the stage (``studies/cockpit.py``) and the next step in words
and as a link, from what every floor reports through ``studies.hooks`` (``progress``)."""

from flask import url_for
from flask_babel import gettext as _

from ..cockpit import NextStep, Progress, Stage, next_step, stage
from ..hooks import hooks


def progress_of(study) -> Progress:
    """The study's :class:`Progress`: its own counts and each higher floor's part."""
    facts: dict = {
        "archived": study.phase == "archived",
        "indicators": len(study.indicators),
        "groups": len(study.groups),
        "panelists": len([p for p in study.participants if p.kind == "panelist"]),
    }
    for part in hooks().progress:
        facts.update(part(study))
    return Progress(**facts)


def stage_label(value: str) -> str:
    return {
        Stage.PREPARATION: _("Förberedelse"),
        Stage.DELPHI: _("Delphiomgångar"),
        Stage.CORE_SET: _("Kärnuppsättning bekräftad"),
        Stage.MEASURES: _("Måttenkät"),
        Stage.PROTOCOL: _("Protokoll publicerat"),
        Stage.FINISHED: _("Avslutad"),
    }.get(Stage(value), value)


def step_link(step: NextStep, study) -> tuple[str, str]:
    """The next step as (text, address)."""
    n = step.round
    steps = {
        "import_indicators": (_("Importera kandidatindikatorer"), ("studies.indicators", {})),
        "add_groups": (_("Lägg till intressentgrupper"), ("studies.groups", {})),
        "add_panel": (_("Lägg till paneldeltagare"), ("studies.panel_list", {})),
        "create_round": (_("Skapa omgång %(n)s", n=n), ("rounds.round_list", {})),
        "open_round": (_("Förbered och öppna omgång %(n)s", n=n), ("rounds.round_detail", {})),
        "follow_round": (_("Följ svaren i omgång %(n)s", n=n), ("rounds.round_detail", {})),
        "confirm_decisions": (
            _("Bekräfta besluten efter omgång %(n)s", n=n),
            ("rounds.round_decisions", {}),
        ),
        "create_survey": (_("Förbered måttenkäten"), ("measures.survey_home", {})),
        "open_survey": (_("Öppna måttenkäten"), ("measures.survey_home", {})),
        "follow_survey": (_("Följ måttenkäten"), ("measures.survey_home", {})),
        "draft_protocol": (_("Skapa ett protokollutkast"), ("protocol_admin.draft", {})),
        "publish_protocol": (_("Granska och publicera protokollet"), ("protocol_admin.draft", {})),
        "archive": (_("Arkivera studien när arbetet är klart"), ("studies.study_archive", {})),
        "restore": (_("Återställ studien om den behöver ändras"), ("studies.study_detail", {})),
    }
    text, (endpoint, values) = steps[step.code]
    if endpoint in ("rounds.round_detail", "rounds.round_decisions"):
        values = {"number": n}
    url = url_for(endpoint, slug=study.slug, **values)
    if step.code == "restore":
        url += "#arkivering"
    return text, url


def cockpit(study) -> dict:
    """What the overview's cockpit shows: the stage, the next step, the higher floors'
    sections (rounds' response status, the core set and survey, protocol versions)."""
    progress = progress_of(study)
    text, url = step_link(next_step(progress), study)
    return {
        "stage": stage(progress),
        "stages": list(Stage),
        "next_text": text,
        "next_url": url,
        "sections": [(section.template, section.context(study)) for section in hooks().overview],
    }
