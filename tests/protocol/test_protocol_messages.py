"""The protocol's one message catalogue: every code has a template, every template an English
translation with the same placeholders, and English pages show English problems while the
command line stays Swedish."""

import json
import pathlib

import pytest

from consensus.extensions import db
from consensus.measures.models import CanonicalMeasure
from consensus.protocol import codelists, diffs, messages, services
from consensus.protocol.fetch import FetchError
from consensus.protocol.services import ProtocolError
from consensus.protocol.validate import validate
from tests.catalogues import codes_used, english, english_catalogue, placeholders
from tests.protocol.test_protocol_manage_views import TEXTS
from tests.protocol.test_protocol_services import make_protocol_study

PROTOCOL = pathlib.Path(messages.__file__).parent

#: Which positional argument of each constructor is the code.
CONSTRUCTORS = {
    "_problem": 1,
    "problem": 1,
    "Problem": 1,
    "ServiceProblem": 1,
    "add": 1,
    "refs": 3,
    "Break": 0,
    "FetchError": 0,
    "ProtocolError": 0,
}


def test_every_code_the_protocol_uses_is_in_its_catalogue():
    paths = [p for p in PROTOCOL.rglob("*.py") if "schema" not in p.parts]
    used = codes_used(paths, CONSTRUCTORS)
    # codes built from names: "measure_" + each field whose change breaks comparability
    used |= {f"measure_{name}" for name in diffs.MEASURE_BREAKING}
    assert len(used) > 40  # the scan found the calls
    assert sorted(code for code in used if code not in messages.CATALOGUE) == []


def msgids() -> list[str]:
    ids = list(messages.CATALOGUE.messages.values())
    ids += list(messages.TYPE_NAMES.values()) + list(messages.PATTERN_DESCRIPTIONS.values())
    ids += [word for pair in messages.ENTITIES.values() for word in pair]
    ids += [reason for _, reason in messages.JSON_REASONS] + [messages.JSON_SYNTAX_ERROR]
    ids += list(messages.BUMP_NAMES.values())
    ids += [
        messages.DOCUMENT,
        messages.NONE_LISTED,
        messages.MORE_LISTED,
        messages.UNKNOWN_ERROR,
        messages.ELEMENTS,
        messages.PATTERN_FALLBACK,
        "eller",
    ]
    ids += [label for table in codelists.LABELS.values() for label in table.values()]
    return list(dict.fromkeys(ids))


def test_every_template_has_an_english_translation_with_the_same_placeholders():
    catalogue = english_catalogue()
    missing = [m for m in msgids() if not catalogue.get(m)]
    assert missing == []
    for msgid in msgids():
        assert placeholders(catalogue[msgid]) == placeholders(msgid), msgid


def test_problems_render_in_english_and_stay_swedish_as_message():
    en = english(english_catalogue())
    (problem,) = validate(b"[1, 2]")
    assert problem.message == "Dokumentet ska vara ett JSON-objekt ({ … }), men är en lista."
    assert problem.render(en) == "The document must be a JSON object ({ … }), but is a list."

    (too_large,) = validate(b"{}" * 10, max_bytes=5)
    assert too_large.render(en) == "The file is too large (20 byte). It may be at most 5 byte."

    (bad_json,) = validate(b'{"a": 1,}')
    assert bad_json.message.startswith("Filen är inte giltig JSON: ett fältnamn inom dubbla")
    assert bad_json.render(en) == (
        "The file is not valid JSON: a field name in double quotes was expected (line 1, column 9)."
    )


def test_type_names_joining_words_and_entities_follow_the_language():
    en = english(english_catalogue())
    problem = messages.CATALOGUE.render(
        "type", {"field": "version", "expected": ["string", "null"], "actual": "integer"}, en
    )
    assert problem == "”version” must be a text or null, but is an integer."
    duplicate = messages.CATALOGUE.render(
        "duplicate_id",
        {"id": "M1", "entity": "ett annat mått", "other": "$.x", "noun": "mått"},
        en,
    )
    assert duplicate == (
        "The id ”M1” is already used by another measure at $.x. Each measure must have an id "
        "of its own."
    )
    assert messages.CATALOGUE.render("unknown_item", {"value": "X", "allowed": []}, en) == (
        "The question ”X” is not among the protocol’s questions (items). Known questions: (none)."
    )


def test_version_step_and_breaks_render_in_the_readers_language():
    old = {"indicators": [{"id": "I1", "measures": [{"id": "M1"}, {"id": "M2"}]}]}
    new = {"indicators": [{"id": "I1", "measures": [{"id": "M1"}]}]}
    change = diffs.diff(old, new)
    (problem,) = diffs.check_version_bump("1.0.0", "1.1.0", change)
    assert problem.message == (
        "Ändringarna bryter jämförbarheten med tidigare resultat (måttet ”M2” har tagits bort) "
        "och kräver därför en ny huvudversion, till exempel 2.0.0. 1.1.0 är bara en ny "
        "delversion av 1.0.0."
    )
    en = english(english_catalogue())
    assert problem.render(en) == (
        "The changes break comparability with earlier results (the measure ”M2” has been "
        "removed) and therefore require a new major version, for example 2.0.0. 1.1.0 is only "
        "a new minor version of 1.0.0."
    )
    assert change.breaks[0].render(en) == "the measure ”M2” has been removed"


def test_refusals_render_in_both_languages():
    en = english(english_catalogue())
    error = ProtocolError("version_exists", version="1.0.0")
    assert error.message == "Version 1.0.0 finns redan. Välj ett högre versionsnummer."
    assert error.render(en) == "Version 1.0.0 already exists. Choose a higher version number."
    fetch = FetchError("url_scheme")
    assert fetch.render(en) == "The address must start with http:// or https://."
    assert str(fetch) == "Adressen måste börja med http:// eller https://."


def test_render_message_in_an_english_request_renders_english(app):
    from consensus.i18n import render_message

    (problem,) = validate(b"")
    with app.test_request_context("/"):
        assert render_message(problem) == "Filen är tom."
    with app.test_request_context("/"):
        from flask import session
        from flask_babel import refresh

        session["lang"] = "en"
        refresh()  # the locale is cached per application context, which the fixture keeps
        assert render_message(problem) == "The file is empty."
        assert render_message(ProtocolError("no_indicators")).startswith(
            "The protocol has no core indicators"
        )


def test_the_draft_page_in_english_shows_english_problems(app, client, make_user, login):
    study = make_protocol_study()
    services.publish(study, "1.0.0")
    db.session.commit()
    make_user()
    login()
    removed = db.session.scalars(
        db.select(CanonicalMeasure).where(CanonicalMeasure.name == "Intervju om delaktighet")
    ).one()
    removed.status = "rejected"
    removed.reason = "Ersätts"
    db.session.commit()
    client.post("/studier/delphi/protokoll/utkast", data={**TEXTS, "version": "1.1.0"})

    swedish_page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert "kräver därför en ny huvudversion" in swedish_page

    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert "therefore require a new major version, for example 2.0.0" in page
    assert "has been removed" in page
    assert "kräver därför" not in page and "har tagits bort" not in page


def test_the_cli_validate_prints_swedish_problems(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([1]), encoding="utf-8")
    result = runner.invoke(args=["protocol", "validate", str(bad)])
    assert result.exit_code == 1
    assert "$: Dokumentet ska vara ett JSON-objekt ({ … }), men är en lista." in result.output
    assert "Filen har 1 fel och kan inte importeras." in result.output


@pytest.mark.parametrize("code", sorted(messages.CATALOGUE.messages))
def test_no_template_breaks_with_its_parameters_missing(code):
    assert messages.CATALOGUE.render(code, {"unrelated": 1})
