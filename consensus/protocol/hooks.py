"""What protocol adds to the studies floor below it, wired once in ``create_app``: its part of
the study overview (the cockpit): whether a draft exists, the published versions."""

from flask import Flask

from ..studies.hooks import Section, hooks
from . import services


def protocol_progress(study) -> dict:
    """The protocol's part of the study's ``cockpit.Progress``."""
    return {
        "protocol_draft": services.get_draft(study) is not None,
        "protocol_published": bool(services.versions(study)),
    }


def overview_protocol(study) -> dict:
    """The study's published versions (newest first) and its draft, for
    ``protocol/_overview.html``."""
    return {"versions": services.versions(study)[::-1], "draft": services.get_draft(study)}


def init_app(app: Flask) -> None:
    study_hooks = hooks(app)
    study_hooks.progress.append(protocol_progress)
    study_hooks.overview.append(Section("protocol/_overview.html", context=overview_protocol))
