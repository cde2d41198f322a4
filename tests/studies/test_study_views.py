"""Study setup through the web: settings and their lock, groups, the pool and its import."""

import io

import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.studies import services
from consensus.studies.models import AuditEvent, Indicator, PendingUpload, ProtocolDeviation, Study
from tests.conftest import PASSWORD, share_studies

SETTINGS = {
    "title": "NNS 2026",
    "description": "",
    "info_text": "Välkommen till panelen.",
    "scale": "rating_1_9",
    "primary_rule": "comet_70_15",
    "min_group_size": "5",
    "target_core_size": "15",
    "invitation_policy": "all_every_round",
}


@pytest.fixture
def leader(client, make_user):
    make_user()
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


def test_create_study_and_see_it_listed(leader):
    response = leader.post("/studier/ny", data={**SETTINGS, "slug": "nns-2026"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/studier/nns-2026"
    study = services.get_study_by_slug("nns-2026")
    assert study.min_group_size == 5 and study.primary_rule == "comet_70_15"
    assert "NNS 2026" in leader.get("/studier").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Stora Bokstäver", "Bara små bokstäver"),
        ("min_group_size", "0", "Number must be at least 1"),
        ("primary_rule", "made_up", "Not a valid choice"),
        ("title", "", "This field is required"),
    ],
)
def test_create_study_refuses_bad_input(leader, field, value, message):
    data = {**SETTINGS, "slug": "ok-slug", field: value}
    response = leader.post("/studier/ny", data=data)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Study.id))) == 0


def test_duplicate_slug_is_refused(leader, study):
    response = leader.post("/studier/ny", data={**SETTINGS, "slug": "pilot"})
    assert "Det finns redan en studie med kortnamnet pilot." in response.get_data(as_text=True)


def test_settings_lock_after_start_and_deviation_needs_reason(leader, study):
    services.change_phase(study, "start")
    db.session.commit()
    data = {**SETTINGS, "title": "Pilotstudie", "min_group_size": "3"}
    response = leader.post("/studier/pilot/installningar", data=data)
    assert response.status_code == 200
    assert "protokollavvikelse" in response.get_data(as_text=True)
    db.session.refresh(study)
    assert study.min_group_size == 5

    response = leader.post(
        "/studier/pilot/installningar", data={**data, "reason": "Få politiker anmälde sig."}
    )
    assert response.status_code == 302
    db.session.refresh(study)
    assert study.min_group_size == 3
    (deviation,) = db.session.scalars(select(ProtocolDeviation)).all()
    assert (deviation.setting, deviation.old_value, deviation.new_value) == (
        "min_group_size",
        "5",
        "3",
    )
    assert deviation.reason == "Få politiker anmälde sig."
    assert "Få politiker anmälde sig." in leader.get("/studier/pilot").get_data(as_text=True)


def test_free_text_settings_stay_editable_after_start(leader, study):
    services.change_phase(study, "start")
    db.session.commit()
    response = leader.post(
        "/studier/pilot/installningar",
        data={**SETTINGS, "title": "Nytt namn", "min_group_size": "5"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(ProtocolDeviation.id))) == 0


def test_archive_and_restore(leader, study):
    page = leader.get("/studier/pilot/arkivera").get_data(as_text=True)
    assert "Jag förstår att studien blir skrivskyddad" in page
    assert "required" not in page.split('name="confirm"', 1)[1].split(">", 1)[0]
    # Not ticked: the page again with the error summary, the study unchanged.
    refused = leader.post("/studier/pilot/arkivera", data={})
    assert refused.status_code == 200
    assert "Kryssa i rutan för att bekräfta arkiveringen." in refused.get_data(as_text=True)
    db.session.refresh(study)
    assert study.phase == "setup"
    leader.post("/studier/pilot/arkivera", data={"confirm": "y"})
    db.session.refresh(study)
    assert study.phase == "archived"
    leader.post("/studier/pilot/aterstall")
    db.session.refresh(study)
    assert study.phase == "setup"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "study_archive" in actions and "study_restore_setup" in actions


def test_groups_add_and_refuse_deleting_a_group_in_use(leader, study):
    leader.post("/studier/pilot/grupper", data={"name": "Brukarorganisationer"})
    assert [g.code for g in study.groups][-1] == "brukarorganisationer"
    group = study.groups[0]
    services.add_participant(study, email="x@example.se", group_id=group.id)
    db.session.commit()
    page = leader.post(f"/studier/pilot/grupper/{group.id}/ta-bort", follow_redirects=True)
    assert "kan inte tas bort" in page.get_data(as_text=True)


def test_indicator_crud_before_start_only(leader, study):
    response = leader.post(
        "/studier/pilot/indikatorer/ny",
        data={
            "code": "E09",
            "title": "Hållbara effekter",
            "perspective": "samhälle",
            "type": "effect",
        },
    )
    assert response.status_code == 302
    again = leader.post(
        "/studier/pilot/indikatorer/ny",
        data={"code": "E09", "title": "Dubblett", "perspective": "samhälle", "type": "effect"},
    )
    assert "Koden E09 används redan i studien." in again.get_data(as_text=True)
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "E09"))
    services.change_phase(study, "start")
    db.session.commit()
    page = leader.post(f"/studier/pilot/indikatorer/{indicator.id}/ta-bort", follow_redirects=True)
    assert "Studien har startat" in page.get_data(as_text=True)
    assert db.session.get(Indicator, indicator.id) is not None


SWEDISH_CSV = (
    "Kod;Titel;Förtydligande;Perspektiv;Typ;Källa\r\n"
    "P01;Deltagare är delaktiga i planeringen;Uppdaterad text;deltagare;process;NNS\r\n"
    'E07;Stegförflyttning mot arbete;"Mäts med; steg";Samhälle;Effekt;Örebro\r\n'
).encode("cp1252")


def _upload(client, what, content, filename):
    return client.post(
        f"/studier/pilot/{what}/importera",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_import_preview_then_confirm(leader, study):
    response = _upload(leader, "indikatorer", SWEDISH_CSV, "pool.csv")
    assert response.status_code == 302
    preview = leader.get(response.headers["Location"])
    body = preview.get_data(as_text=True)
    assert "skapa 1 och uppdatera 1" in body
    assert "Stegförflyttning mot arbete" in body
    assert db.session.scalar(select(func.count(Indicator.id))) == 1  # nothing written yet

    done = leader.post(response.headers["Location"], follow_redirects=True)
    assert "1 nya och 1 uppdaterade" in done.get_data(as_text=True)
    indicators = {i.code: i for i in db.session.scalars(select(Indicator))}
    assert indicators["P01"].description == "Uppdaterad text"
    assert indicators["E07"].perspective == "samhälle" and indicators["E07"].type == "effect"
    assert indicators["E07"].description == "Mäts med; steg"

    # The same file again: everything is an update, nothing is duplicated.
    again = _upload(leader, "indikatorer", SWEDISH_CSV, "pool.csv")
    assert "skapa 0 och uppdatera 2" in leader.get(again.headers["Location"]).get_data(as_text=True)


def test_import_with_errors_writes_nothing(leader, study):
    bad = b"Kod;Titel;Perspektiv;Typ\nX1;Bra;kunder;process\nX2;;deltagare;effekt\n"
    response = _upload(leader, "indikatorer", bad, "fel.csv")
    # Shown at once, and not kept: there is no staged file to confirm.
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Ingenting har sparats" in body
    assert "kunder" in body and "Rad 2" in body or '<td class="num">2</td>' in body
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0
    # A confirm forced anyway (a file staged before it was checked) is refused.
    staged = services.stage_upload(study, "indicators", "fel.csv", bad)
    db.session.commit()
    forced = leader.post(f"/studier/pilot/indikatorer/importera/{staged.id}", follow_redirects=True)
    assert "importerades inte" in forced.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Indicator.id))) == 1


def test_a_refused_confirmation_writes_nothing_and_keeps_the_file(leader, study):
    """The study starts between preview and confirmation: the writer refuses, nothing is
    written, the message says why, and the staged file can still be previewed."""
    response = _upload(leader, "indikatorer", SWEDISH_CSV, "pool.csv")
    preview_url = response.headers["Location"]
    services.change_phase(study, "start")
    db.session.commit()
    refused = leader.post(preview_url)
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith("/studier/pilot/indikatorer")
    page = leader.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Studien har startat" in page
    assert db.session.scalar(select(func.count(Indicator.id))) == 1
    assert leader.get(preview_url).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reimports_unchanged(leader, study, fmt):
    services.add_indicator(
        study,
        code="S1",
        title="=Formel?",
        description="rad 1\nrad 2",
        perspective="samhälle",
        type="effect",
        source="+46",
    )
    db.session.commit()
    exported = leader.get(f"/studier/pilot/indikatorer/export.{fmt}")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    response = _upload(leader, "indikatorer", exported.data, f"export.{fmt}")
    body = leader.get(response.headers["Location"]).get_data(as_text=True)
    assert "skapa 0 och uppdatera 2" in body
    leader.post(response.headers["Location"])
    s1 = db.session.scalar(select(Indicator).where(Indicator.code == "S1"))
    db.session.refresh(s1)
    assert (s1.title, s1.description, s1.source) == ("=Formel?", "rad 1\nrad 2", "+46")


def test_upload_of_wrong_file_type_is_refused(leader, study):
    response = _upload(leader, "indikatorer", b"%PDF-1.4", "pool.pdf")
    assert response.status_code == 200
    assert "Filen måste vara .xlsx eller .csv." in response.get_data(as_text=True)


def test_preview_of_another_studys_upload_is_not_shown(leader, study):
    other = services.create_study("annan", "Annan studie")
    upload = services.stage_upload(other, "indicators", "x.csv", b"Kod;Titel\n")
    db.session.commit()
    response = leader.get(
        f"/studier/pilot/indikatorer/importera/{upload.id}", follow_redirects=True
    )
    assert "finns inte längre" in response.get_data(as_text=True)


def test_facilitator_sees_but_cannot_change(client, make_user, study):
    make_user(email="f@example.se", role="facilitator")
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "f@example.se", "password": PASSWORD})
    assert client.get("/studier/pilot/indikatorer").status_code == 200
    assert client.get("/studier/pilot/panel").status_code == 200
    assert client.get("/studier/pilot/installningar").status_code == 403
    assert client.post("/studier/pilot/indikatorer/ny", data={}).status_code == 403


def test_import_preview_shows_problems_in_the_pages_language(leader, study):
    """The same bad files on a Swedish and an English page: the problems, their row/column
    prefix, joining words and delimiter names follow the language chosen at /sprak."""
    missing = b"Kod;Titel;Typ\nX1;Bra;process\n"
    duplicate = (
        b"Kod;Titel;Perspektiv;Typ\nX1;Bra;deltagare;process\n"
        b"X1;Annan;deltagare;effekt\nX2;Tredje;deltagare;process\nX1;Fyra;deltagare;process\n"
    )

    def preview(content):
        response = _upload(leader, "indikatorer", content, "fel.csv")
        return response.get_data(as_text=True)  # a file with problems is shown at once

    swedish = preview(missing)
    assert "Kolumnen ”Perspektiv” saknas. Godtagna rubriker: ”Perspektiv” eller" in swedish
    assert "Filen lästes som text (UTF-8) med semikolon (;) som avgränsare." in swedish
    assert "Rad 2, kolumn ”Kod”: koden ”X1” finns också på rad 3 och 5." in preview(duplicate)

    leader.post("/sprak", data={"lang": "en", "next": "/"})
    english = preview(missing)
    assert "The column ”Perspektiv” is missing. Accepted headings: ”Perspektiv” or" in english
    assert "The file was read as text (UTF-8) with semicolon (;) as the delimiter." in english
    assert "saknas" not in english and "lästes" not in english
    english = preview(duplicate)
    assert "Row 2, column ”Kod”: the code ”X1” is also on row 3 and 5." in english
    assert "finns också" not in english
    assert db.session.scalar(select(func.count(Indicator.id))) == 1


def test_each_rule_is_explained_where_it_is_chosen_and_named_in_english(leader, study):
    page = leader.get("/studier/pilot/installningar").get_data(as_text=True)
    assert "Vad betyder reglerna?" in page
    assert "minst 70 % av paneldeltagarna ger 7–9" in page
    assert '<option selected value="comet_70_15">COMET 70/15</option>' in page
    leader.post("/sprak", data={"lang": "en"})
    page = leader.get("/studier/pilot/installningar").get_data(as_text=True)
    assert ">COMET 70/15 in every stakeholder group</option>" in page
    assert ">Median and interquartile range</option>" in page
