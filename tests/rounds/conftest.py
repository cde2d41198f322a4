"""Fixtures for the rounds tests: a small study with a panel, and helpers to vote."""

import pytest

from consensus.extensions import db
from consensus.studies import services as study_services
from tests.conftest import share_studies


class Delphi:
    """A study with groups ``a`` and ``b``, indicators ``I1``..``In`` and a panel."""

    def __init__(self, study, groups, indicators, panel):
        self.study = study
        self.groups = groups  # code -> StakeholderGroup
        self.indicators = indicators  # list of Indicator
        self.panel = panel  # list of Participant

    def ind(self, code):
        return next(i for i in self.indicators if i.code == code)

    def member(self, group, k=0):
        return [p for p in self.panel if p.group_id == self.groups[group].id][k]


def make_delphi(*, panel=(("a", 3), ("b", 3)), indicators=3, **settings) -> Delphi:
    settings.setdefault("min_group_size", 3)
    settings.setdefault("min_ratings", 1)  # small panels; tests of the minimum set it
    study = study_services.create_study("delphi", "Delphistudie", **settings)
    groups = {code: study_services.add_group(study, code, code.upper()) for code in ("a", "b")}
    items = [
        study_services.add_indicator(
            study,
            code=f"I{k}",
            title=f"Indikator {k}",
            perspective="deltagare",
            type="process",
        )
        for k in range(1, indicators + 1)
    ]
    people = []
    for code, count in panel:
        for k in range(count):
            people.append(
                study_services.add_participant(
                    study,
                    kind="panelist",
                    group_id=groups[code].id,
                    name=f"Namn {code}{k}",
                    email=f"{code}{k}@example.se",
                )
            )
    db.session.commit()
    share_studies()  # staff made before it work on it
    return Delphi(study, groups, items, people)


@pytest.fixture
def delphi(app):
    return make_delphi()


def rate(round_, participant, values, **extra):
    """Save ratings {indicator: value or "x" for kan ej bedöma}."""
    from consensus.rounds import services

    answers = []
    for indicator, value in values.items():
        if value == "x":
            answers.append({"indicator_id": indicator.id, "value": None, "unable": True, **extra})
        else:
            answers.append({"indicator_id": indicator.id, "value": value, **extra})
    return services.save_answers(round_, participant, answers)
