"""The demo study: the NNS story (shared seed 001) as a newcomer's first sight of the product.

The 15 core indicators are quoted from the NNS document of 2014-08-18 ("Protokoll över
framtagna kärnindikatorer"). The other candidates are invented for the demo and say so in
their source.

The study ``demo`` goes through the whole chain: two Delphi rounds, both closed and confirmed
(the final one selects the 15 NNS indicators as the core set), a measures survey over the core
set with submitted proposals that the projektledare has reviewed (merged, accepted with one
recommended measure per indicator, two rejected with a reason), a published protocol version
1.0.0, and a demo förbund that has imported it and added a local question. The proposed
measures, respondents and the förbund are invented (marked as demo texts).

The texts are data in ``consensus/data/demo/`` (one JSON file per step, read by ``_data``);
this module only orchestrates: it creates the study through the services, in order.
"""

import json
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from .auth import services as auth_services
from .auth.models import User
from .dbtypes import utcnow
from .extensions import db
from .studies import membership
from .studies import services as study_services
from .studies.models import Participant, Study


@cache
def _data(name: str) -> Any:
    """One of the demo's data files (``consensus/data/demo/NAME.json``), read once.

    Callers treat the result as read-only."""
    path = resources.files("consensus").joinpath("data", "demo", f"{name}.json")
    return json.loads(path.read_text("utf-8"))


DEMO_SLUG = "demo"
NNS_SOURCE: str = _data("study")["sources"]["nns"]
DEMO_SOURCE: str = _data("study")["sources"]["demo"]

# (email, role, name, password)
DEMO_ACCOUNTS = tuple(
    (a["email"], a["role"], a["name"], a["password"]) for a in _data("study")["accounts"]
)
# The förbund that the "forbund" account belongs to; it has imported the published protocol.
DEMO_FORBUND = (_data("study")["forbund"]["slug"], _data("study")["forbund"]["name"])
DEMO_PROTOCOL_VERSION = "1.0.0"
DEMO_PANEL_SIZE = 30  # five per stakeholder group: every group is shown on its own


def database_is_empty() -> bool:
    users = db.session.scalar(select(func.count(User.id)))
    studies = db.session.scalar(select(func.count(Study.id)))
    return not users and not studies


def load_if_empty() -> bool:
    """Create the demo on an empty database. Returns False (and does nothing) otherwise."""
    if not database_is_empty():
        return False
    texts = _data("study")
    forbund = auth_services.get_or_create_organisation(*DEMO_FORBUND)
    users = {}
    for email, role, name, password in DEMO_ACCOUNTS:
        organisation = forbund if role == "forbund" else None
        users[role] = auth_services.create_user(
            email, password, role, name=name, organisation=organisation
        )
    study = study_services.create_study(
        DEMO_SLUG,
        texts["title"],
        created_by=users["projektledare"],
        description=texts["description"],
        info_text=texts["info_text"],
        target_core_size=15,
    )
    membership.add_member(study, users["facilitator"].email, "facilitator")  # runs the workshop
    for group in texts["groups"]:
        study_services.add_group(study, group["code"], group["name"])
    for candidate in _data("candidates"):
        study_services.add_indicator(
            study,
            code=candidate["code"],
            title=candidate["title"],
            description=candidate["description"],
            perspective=candidate["perspective"],
            type=candidate["type"],
            source=texts["sources"][candidate["source"]],
        )
    groups = {g.code: g for g in study.groups}
    codes = [group["code"] for group in texts["groups"]]
    organisations = texts["organisations"]
    for number in range(1, DEMO_PANEL_SIZE + 1):
        study_services.add_participant(
            study,
            name=f"Demodeltagare {number}",
            email=f"panel{number:02d}@demo.invalid",
            group_id=groups[codes[(number - 1) % len(codes)]].id,
            organisation=organisations[number % len(organisations)],
            level="nationell" if number % 6 == 0 else "lokal",
            joined_via="import",
        )
    study_services.ensure_join_code(study)
    db.session.flush()
    start = utcnow() - timedelta(days=DEMO_DAYS_AGO)
    _demo_rounds(study, users["projektledare"], start)
    _demo_measures(study, users["projektledare"], start)
    imported = _demo_protocol(study, users["projektledare"], forbund)
    _demo_followup(forbund, imported)
    from .demo_national import load_national

    load_national(forbund, imported)  # the national page: the demo förbund and six invented
    return True


# The demo's timeline, in days after the panel was invited (which was DEMO_DAYS_AGO days ago).
DEMO_DAYS_AGO = 120
TIMELINE = {
    "round1_open": 0,
    "round1_answers": 7,
    "round1_close": 21,
    "round1_confirm": 23,
    "round2_open": 30,
    "round2_answers": 37,
    "round2_close": 51,
    "round2_confirm": 53,
    "survey_open": 60,
    "survey_answers": 70,
    "survey_close": 88,
}


def _demo_rating(rng, code: str, source: str) -> tuple[int | None, bool]:
    """Round 1 ratings: the NNS core indicators mostly 7-9, the invented ones lower."""
    if rng.random() < 0.03:
        return None, True  # kan ej bedöma
    if source == NNS_SOURCE:
        return rng.choices(range(1, 10), weights=[0, 0, 1, 1, 2, 4, 10, 14, 12])[0], False
    return rng.choices(range(1, 10), weights=[3, 5, 6, 7, 6, 5, 3, 2, 1])[0], False


def _demo_rounds(study, leader, start) -> None:
    """Both rounds closed and confirmed: round 1 carries every candidate on, round 2 (the
    final round, 25 of 30 answered) selects the core set, which the ratings make the 15 NNS
    indicators. A tie at the cut (none with this seed) is decided by the source, with a reason."""
    import random

    from .rounds import services as rounds

    def at(step: str):
        return start + timedelta(days=TIMELINE[step])

    comments = _data("rounds")["comments"]  # invented, shown anonymously in round 2
    reasons = _data("rounds")["tie_reasons"]
    rng = random.Random(2014)
    panel = [p for p in study.participants if p.kind == "panelist"]
    for p in panel:
        p.invitation_status = "sent"
        p.invited_at = p.first_visit_at = p.consent_at = start
    first = rounds.create_round(study, "rating", actor=leader)
    rounds.open_round(first, actor=leader, now=at("round1_open"))
    items = rounds.ballot(first)
    for p in panel:
        answers = []
        for indicator in items:
            value, unable = _demo_rating(rng, indicator.code, indicator.source)
            answer = {"indicator_id": indicator.id, "value": value, "unable": unable}
            if indicator.code in comments and rng.random() < 0.15:
                answer["comment"] = comments[indicator.code]
            answers.append(answer)
        rounds.save_answers(first, p, answers, now=at("round1_answers"))
    rounds.close_round(first, actor=leader, now=at("round1_close"))
    rounds.confirm_decisions(first, actor=leader, now=at("round1_confirm"))

    second = rounds.create_round(study, "rating", is_final=True, actor=leader)
    rounds.open_round(second, actor=leader, now=at("round2_open"))
    for p in panel[: len(panel) - 5]:
        answers = []
        for indicator in rounds.ballot(second):
            value, unable = _demo_rating(rng, indicator.code, indicator.source)
            answers.append({"indicator_id": indicator.id, "value": value, "unable": unable})
        rounds.save_answers(second, p, answers, now=at("round2_answers"))
    rounds.close_round(second, actor=leader, now=at("round2_close"))
    overrides = {}
    for decision in rounds.decisions(second):
        # The primary rule proposes only what it put IN; a tie at the cut, or an NNS indicator
        # short of consensus, is decided by the NNS source, with the reason recorded.
        nns = decision.indicator.source == NNS_SOURCE
        outcome = "core" if nns else "excluded"
        if outcome != decision.decision:
            overrides[decision.indicator_id] = (outcome, reasons[outcome])
    rounds.confirm_decisions(second, overrides, actor=leader, now=at("round2_confirm"))


# --- the measures survey ------------------------------------------------------------------------
# measures.json: the survey's intro and workshop; its respondents (two invited experts, two who
# came through the open link; pseudonyms R001 ... R004 in this order; the experts' addresses
# are in example.org, reserved for examples by RFC 2606, since the survey refuses the .invalid
# domain of the demo's other addresses); comments; and per core indicator the canonical
# measures the review made, each from the proposals (by respondent key) it merged. A proposal
# may carry "ref" (a label), "combines" (the labels of proposals it combines, and how) and
# "questions" (which go to the reviewed measure: a proposal has no such field). Decision
# "accepted" (one "recommended") or "rejected" (with a "reason"). "followup": the target,
# direction and disaggregations the projektledare sets in the review (kön on survey measures).


def _demo_expert(survey, fields, *, invited_at):
    """An invited expert, as the projektledare adds one, whose invitation went out."""
    from .measures import services as measures

    respondent = measures.add_expert(survey, **fields)
    participant = db.session.get(Participant, respondent.participant_id)
    participant.invitation_status, participant.invited_at = "sent", invited_at
    return respondent


def _demo_measures(study, leader, start) -> None:
    """The measures survey over the confirmed core set: four respondents submitted proposals
    (one combines another), the survey is closed and the projektledare has reviewed them."""
    from .measures import services as measures

    def at(step: str):
        return start + timedelta(days=TIMELINE[step])

    texts = _data("measures")
    survey = measures.create_survey(study, intro_text=texts["intro"], actor=leader)
    measures.add_workshop(
        survey,
        actor=leader,
        date=at("survey_open").date() - timedelta(days=7),
        **texts["workshop"],
    )
    measures.change_status(survey, "open", actor=leader, now=at("survey_open"))
    measures.new_open_link(survey, actor=leader)  # not kept: a newcomer makes a new one
    respondents = {}
    for entry in texts["respondents"]:
        fields = dict(entry["fields"])
        if entry["via"] == "invited":
            respondent = _demo_expert(survey, fields, invited_at=at("survey_open"))
        else:
            respondent, _token = measures.join_open_link(survey, now=at("survey_answers"), **fields)
        respondents[entry["key"]] = respondent

    indicators = {i.code: i for i in measures.survey_indicators(survey)}
    when = at("survey_answers")
    ids: dict[tuple[str, int, int], int] = {}
    refs: dict[str, int] = {}
    for key, respondent in respondents.items():
        for code, canonicals in texts["measures"].items():
            for c, canonical in enumerate(canonicals):
                for n, proposal_data in enumerate(canonical["proposals"]):
                    if proposal_data["by"] != key:
                        continue
                    data = dict(proposal_data)
                    del data["by"]
                    data.pop("questions", None)
                    ref = data.pop("ref", None)
                    data["combines"] = [
                        {"proposal_id": refs[combined["ref"]], "how": combined["how"]}
                        for combined in data.pop("combines", ())
                    ]
                    proposal = measures.save_proposal(
                        respondent, indicators[code].id, data, now=when
                    )
                    ids[(code, c, n)] = proposal.id
                    if ref:
                        refs[ref] = proposal.id
        for comment in texts["comments"]:
            if comment["by"] == key:
                indicator_id = indicators[comment["indicator"]].id
                measures.save_comment(respondent, indicator_id, comment["text"], now=when)
        measures.submit(respondent, now=when)
    measures.change_status(survey, "close", actor=leader, now=at("survey_close"))

    for code, canonicals in texts["measures"].items():
        for c, canonical in enumerate(canonicals):
            sources = [ids[(code, c, n)] for n in range(len(canonical["proposals"]))]
            fields = canonical.get("fields")
            measure = measures.merge_proposals(
                survey, indicators[code], sources, dict(fields) if fields else fields, actor=leader
            )
            questions = canonical["proposals"][0].get("questions")
            if questions:
                measures.edit_canonical(measure, {"questions": list(questions)}, actor=leader)
            if canonical.get("followup"):  # target, direction, disaggregations (kön)
                measures.edit_canonical(measure, dict(canonical["followup"]), actor=leader)
            measures.decide(
                measure, canonical["decision"], canonical.get("reason", ""), actor=leader
            )
            if canonical.get("recommended"):
                measures.set_recommended(measure, actor=leader)


# --- the protocol and the förbund ---------------------------------------------------------------


def protocol_texts() -> dict:
    """The published version's texts (a fresh copy: publishing may keep or change it)."""
    texts = json.loads(json.dumps(_data("protocol")["texts"]))
    texts["changelog"] = [
        {"version": DEMO_PROTOCOL_VERSION, **entry} for entry in texts["changelog"]
    ]
    return texts


def _demo_protocol(study, leader, forbund):
    """Version 1.0.0 published; the demo förbund has imported it and added a local question."""
    from .followup import services as followup
    from .protocol import services as protocol

    version = protocol.publish(study, DEMO_PROTOCOL_VERSION, actor=leader, texts=protocol_texts())
    result = followup.import_document(forbund, protocol.document_bytes(version), source="demo")
    if not result.ok:  # pragma: no cover - the published document is valid by construction
        raise RuntimeError(f"demo protocol import refused: {result.problems}")
    followup.add_local_item(result.imported, _data("protocol")["local_item"])
    return result.imported


# --- the förbund's follow-up data ---------------------------------------------------------------


def _demo_answers(rng, questionnaire, count: int, groups, genders, texts) -> list:
    """``count`` invented questionnaires: answers leaning to the scale's upper half, some
    "vet inte", kön and a local group on each."""
    from .followup import questionnaire as qn
    from .followup.answer_file import ParsedRow

    rows = []
    for number in range(1, count + 1):
        form: dict = {}
        for question in questionnaire.questions:
            if question.id == qn.LOCAL_GROUP:
                form[question.id] = str(rng.choice(groups).id)
            elif question.background:
                form[question.id] = rng.choice(question.options).value
            elif question.choices and question.missing and rng.random() < texts["dont_know_share"]:
                form[question.id] = question.missing[0].value
            elif question.options:
                weights = [1 + i * i for i in range(len(question.options))]
                form[question.id] = rng.choices(question.options, weights)[0].value
        checked = qn.validate(questionnaire, form)
        if not checked.ok:  # pragma: no cover - invented from the questionnaire itself
            raise RuntimeError(f"demo answers refused: {checked.problems}")
        answers = {k: v for k, v in checked.answers.items() if v is not None}
        gender = qn.BACKGROUND_PREFIX + qn.GENDER_CODELIST
        if gender not in answers:  # the protocol has no kön codelist: kön is still recorded
            code = qn.DECLINED if rng.random() < texts["declined_share"] else rng.choice(genders)
            answers[gender] = (
                qn.Cleaned(missing=code) if code == qn.DECLINED else qn.Cleaned(value=code)
            )
        if qn.LOCAL_GROUP not in answers:
            answers[qn.LOCAL_GROUP] = qn.Cleaned(value=str(rng.choice(groups).id))
        rows.append(ParsedRow(number, answers))
    return rows


def _demo_wave(org, imported, group, groups, spec, rng, texts, *, count, codes=(), **when):
    from datetime import date

    from .followup import services as followup
    from .followup.lifecycle import Source

    wave, _token = followup.create_wave(
        org,
        imported,
        group,
        opens_on=date.fromisoformat(spec["opens"]),
        closes_on=date.fromisoformat(spec["closes"]),
        local_group_ids=[g.id for g in groups],
        **when,
    )
    followup.move_wave(wave, "open")
    questionnaire = followup.questionnaire_for(wave)
    rows = _demo_answers(rng, questionnaire, count, groups, texts["gender_codes"], texts)
    preview = followup.ImportPreview(wave, rows=rows, codes=dict(enumerate(codes, 1)))
    followup.import_answers(
        preview, source=Source.WEB, submitted_on=date.fromisoformat(spec["closes"])
    )
    if spec["status"] == "closed":
        followup.move_wave(wave, "close")
    return wave


def _demo_followup(org, imported) -> None:
    """Three local groups; yearly waves (2025, 2026) for participants and staff with about 150
    questionnaires each; one cohort with longitudinal codes answering at T0, 6 and 12 months;
    register figures for the register measures, per year and group, and a narrative."""
    import random

    from sqlalchemy import select as select_

    from .followup import register_file
    from .followup import services as followup
    from .followup.models import LongitudinalCode
    from .followup.services.answering import hash_code, normalise_code

    texts = _data("followup")
    rng = random.Random(texts["seed"])
    groups = [followup.add_local_group(org, name) for name in texts["local_groups"]]
    yearly = texts["yearly"]
    for spec in yearly["waves"]:
        for group in yearly["respondent_groups"]:
            count = yearly["questionnaires"] + rng.randint(-8, 8)
            _demo_wave(
                org, imported, group, groups, spec, rng, texts, count=count, period=spec["period"]
            )
    cohort = texts["cohort"]
    first = None
    code_ids: list[int] = []
    for spec in cohort["waves"]:
        if first is None:
            codes = followup.generate_codes(org, cohort["codes"], cohort=cohort["label"])
            hashes = [hash_code(normalise_code(c)) for c in codes]
            by_hash = dict(
                db.session.execute(
                    select_(LongitudinalCode.code_hash, LongitudinalCode.id).where(
                        LongitudinalCode.code_hash.in_(hashes)
                    )
                ).all()
            )
            code_ids = [by_hash[h] for h in hashes]
        answering = code_ids[: spec["answering"]]  # some drop out along the way
        first = _demo_wave(
            org,
            imported,
            cohort["respondent_group"],
            groups,
            spec,
            rng,
            texts,
            count=len(answering),
            codes=answering,
            schedule_id=cohort["schedule"],
            timepoint=spec["timepoint"],
        )
    for measure in register_file.register_measures(imported.document):
        for period in texts["register_periods"]:
            for group in [None, *groups]:
                size = rng.randint(25, 60) * (3 if group is None else 1)
                raw = {
                    "measure": measure.id,
                    "period": period,
                    "group": group.letter if group else "",
                }
                if measure.scoring == "proportion":
                    raw["numerator"] = str(int(size * rng.uniform(0.35, 0.8)))
                    raw["denominator"] = str(size)
                elif measure.scoring == "count":
                    raw["value"] = str(size)
                else:
                    raw["value"] = f"{rng.uniform(2, 9):.1f}"
                followup.save_figure(imported, raw)
    for narrative in texts["narratives"]:
        followup.save_narrative(
            imported, narrative["measure"], narrative["period"], narrative["text"]
        )


def logins_text() -> str:
    lines = ["Demoinloggningar (om lösenorden inte har bytts):"]
    for email, role, _name, password in DEMO_ACCOUNTS:
        lines.append(f"  {role:<14} {email:<30} lösenord: {password}")
    base = "http://127.0.0.1:5000"
    lines += [
        f"Öppna {base} och logga in. Studien ”{DEMO_SLUG}” har gått igenom hela kedjan:",
        "  två Delphiomgångar (stängda) → 15 kärnindikatorer → måttenkät (stängd, granskad)",
        f"  → protokoll {DEMO_PROTOCOL_VERSION} publicerat → importerat av ett förbund.",
        f"  Studien:     Studier → {DEMO_SLUG} (flikarna Omgångar, Rapport, Mått och Protokoll)",
        f"  Protokollet: {base}/protokoll/{DEMO_SLUG}/senaste (öppet för alla)",
        f"  Måttenkäten: {base}/matt/{DEMO_SLUG} (stängd; som projektledare kan du öppna den",
        "               igen och skapa en öppen länk under Studier → demo → Mått)",
        f"  Förbundet:   logga in som forbund ({DEMO_FORBUND[1]}): version",
        f"               {DEMO_PROTOCOL_VERSION} är importerad, med en egen lokal fråga,",
        "               tre lokala grupper, årliga mätningar 2025 och 2026 för deltagare och",
        "               insatspersonal (cirka 150 enkäter var), en kohort med koder (start,",
        "               6 och 12 månader) och registeruppgifter per år och grupp.",
        f"  Nationellt:  Studier → {DEMO_SLUG} → Nationellt: förbundet och sex påhittade förbund",
        "               har delat sina årliga mätningar (fördelning, median, kvartiler);",
        "               förbundet ser sitt värde bredvid rikets under Jämförelse med riket.",
    ]
    return "\n".join(lines)
