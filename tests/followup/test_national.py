"""The national comparison: the aggregate report carries the förbund's own shown cells and
nothing more, the owner's import refuses what is wrong (in Swedish, writing nothing), the
distribution over förbund is computed by hand here, and a förbund never sees another's
figures or names."""

import copy
import datetime as dt
import json
import secrets

import pytest
from sqlalchemy import func, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import national, services
from consensus.followup.models import NationalShare, SurveyAnswer, SurveyResponse
from consensus.followup.suppression import Grouping, recoverable
from consensus.protocol.canonical import dumps, with_checksum
from consensus.protocol.example import example_protocol
from consensus.protocol.models import ProtocolVersion

from .test_results import PEOPLE

MEASURE = "I01-M1"
FIGURES = ("n", "numerator", "denominator", "value", "ciLow", "ciHigh", "target")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


# --- the distribution (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # n = 6: h = 5p; q1 at h 1.25 = 30 + 0.25·15, median at 2.5 = 45 + 0.5·5,
        # q3 at 3.75 = 50 + 0.75·11
        ([90, 12, 45, 30, 61, 50], (6, 12, 33.75, 47.5, 58.25, 90)),
        # n = 4: q1 at h 0.75 = 1 + 0.75·1, median 2.5, q3 at 2.25 = 3 + 0.25·1
        ([4, 1, 3, 2], (4, 1, 1.75, 2.5, 3.25, 4)),
        # n = 5: every quartile is an order statistic (h = 1, 2, 3)
        ([70, 10, 80, 20, 40], (5, 10, 20, 40, 70, 80)),
        # one förbund: every figure is its value
        ([55.5], (1, 55.5, 55.5, 55.5, 55.5, 55.5)),
        # n = 3 with thirds: q1 at h 0.5 = 10 + 0.5·(11.1 − 10) = 10.55
        ([10, 11.1, 30], (3, 10, 10.55, 11.1, 20.55, 30)),
    ],
)
def test_distribution_by_hand(values, expected):
    d = national.distribution(values)
    assert (d.count, d.minimum, d.q1, d.median, d.q3, d.maximum) == expected


def test_distribution_leaves_out_suppressed_and_empty_cells():
    entries = [
        ("Förbund 1", "not_reached", 40.0),
        ("Förbund 2", "suppressed", None),
        ("Förbund 3", "reached", 80.0),
        ("Förbund 4", "no_data", None),  # n = 0: shown as empty, no value
        ("Förbund 5", "near", 66.0),
    ]
    report = {
        "protocol": {"version": "1.0.0"},
        "wave": {"respondentGroup": "deltagare", "period": "oktober 2026", "year": 2026},
    }
    shares = [
        {
            "label": label,
            "report": {
                **report,
                "rows": [
                    {
                        "indicator": "I01",
                        "measure": MEASURE,
                        "breakdown": "total",
                        "status": status,
                        **({} if value is None else {"value": value, "n": 10}),
                    }
                ],
            },
        }
        for label, status, value in entries
    ]
    (cell,) = national.national_cells(shares)
    d = cell.distribution
    # over 40, 66, 80 only: q1 at h 0.5 = 40 + 0.5·26 = 53, q3 at h 1.5 = 66 + 0.5·14 = 73
    assert (d.count, d.minimum, d.q1, d.median, d.q3, d.maximum) == (3, 40, 53, 66, 73, 80)
    assert not d.enough  # fewer than five förbund: a förbund is not shown it
    assert [e.label for e in cell.entries] == [e[0] for e in entries]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def published(study):
    """The example protocol published on this platform by the study (its owner)."""
    doc = example_protocol()
    row = ProtocolVersion(
        study_id=study.id,
        protocol_id=doc["id"],
        version=doc["version"],
        status="active",
        document=doc,
        checksum=doc["checksum"],
        published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    db.session.add(row)
    db.session.commit()
    return row


def forbund_with_wave(slug, name, people=PEOPLE, period="oktober 2026"):
    org = auth_services.get_or_create_organisation(slug, name)
    result = services.import_document(org, dumps(example_protocol()))
    groups = {g.letter: g for g in (services.add_local_group(org, n) for n in ("Steget", "Vägen"))}
    wave, _token = services.create_wave(
        org,
        result.imported,
        "deltagare",
        period=period,
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        local_group_ids=[g.id for g in groups.values()],
    )
    services.move_wave(wave, "open")
    for gender, letter, answer in people:
        response = SurveyResponse(
            wave_id=wave.id,
            respondent_id=secrets.token_hex(8),
            status="submitted",
            submitted_on=dt.date(2026, 10, 5),
            gender=gender,
            local_group_id=groups[letter].id,
        )
        db.session.add(response)
        db.session.flush()
        missing = answer == "9"
        db.session.add(
            SurveyAnswer(
                response_id=response.id,
                item_id="D01",
                value=None if missing else str(answer),
                number=None if missing else float(answer),
                missing="9" if missing else None,
            )
        )
    services.move_wave(wave, "close")
    db.session.commit()
    return org, wave


@pytest.fixture
def wave(app):
    return forbund_with_wave("testforbund", "Testförbundet")[1]


def rows_of(report, measure=MEASURE):
    return {r["breakdown"]: r for r in report["rows"] if r["measure"] == measure}


def share_count():
    return db.session.scalar(select(func.count()).select_from(NationalShare))


# --- the report carries what the förbund's results show, and nothing more -----------------------


def test_report_carries_total_and_kon_only_and_no_hidden_figure(wave):
    report = services.wave_report(wave, named=False, now=NOW)
    assert national.check_document(report) == []
    rows = rows_of(report)
    # local groups are never shared; kön and the total are
    assert set(rows) == {"total", "kon:K", "kon:M", "kon:_U"}
    assert (rows["total"]["numerator"], rows["total"]["denominator"], rows["total"]["n"]) == (
        11,
        20,
        20,
    )
    assert (rows["total"]["value"], rows["total"]["ciLow"], rows["total"]["ciHigh"]) == (
        55.0,
        34.21,
        74.18,
    )
    assert rows["kon:K"]["value"] == 70.0
    # _U (2 people) primary, M its complementary partner: status and reason only
    assert rows["kon:_U"] == {
        "indicator": "I01",
        "measure": MEASURE,
        "breakdown": "kon:_U",
        "status": "suppressed",
        "suppression": "primary",
    }
    assert rows["kon:M"] == {
        "indicator": "I01",
        "measure": MEASURE,
        "breakdown": "kon:M",
        "status": "suppressed",
        "suppression": "complementary",
    }
    # no suppressed cell of any measure can be worked out from what is shared
    by_measure = {}
    for row in report["rows"]:
        by_measure.setdefault(row["measure"], []).append(row)
    for table in by_measure.values():
        names = [r["breakdown"] for r in table]
        hidden = [r["breakdown"] for r in table if r["status"] == "suppressed"]
        grouping = Grouping("total", tuple(n for n in names if n.startswith("kon:")))
        assert recoverable([grouping], hidden) == set()
        for r in table:
            if r["status"] == "suppressed":
                assert not any(f in r for f in FIGURES), r
    # every shown figure is one the förbund's own results page shows for that cell
    own = {
        (r["measure"], r["breakdown"]): r for r in services.build_results(wave.imported, wave).rows
    }
    names = {"ciLow": "ci_low", "ciHigh": "ci_high"}
    for row in report["rows"]:
        mine = own[(row["measure"], row["breakdown"])]
        assert mine["status"] == row["status"]
        for f in FIGURES:
            if f in row:
                assert row[f] == mine[names.get(f, f)]
    # no name, no group, no respondent, no date of an answer
    text = json.dumps(report, ensure_ascii=False)
    for secret in ("Testförbundet", "testforbund", "Steget", "Vägen", "grupp:", "2026-10-05"):
        assert secret not in text
    assert report["sender"] == {"key": report["sender"]["key"], "named": False}


def test_named_report_carries_the_name_and_an_open_wave_is_not_shared(wave):
    report = services.wave_report(wave, named=True, now=NOW)
    assert report["sender"]["name"] == "Testförbundet"
    wave.status = "open"
    with pytest.raises(services.FollowupError) as caught:
        services.wave_report(wave, named=False)
    assert "Bara en stängd mätning kan delas" in caught.value.message


# --- the owner's import ----------------------------------------------------------------------


def test_same_platform_share_is_received_and_labelled(published, wave):
    report, result = services.share_wave(wave, named=False, now=NOW)
    assert result.status == "received"
    db.session.commit()
    share = result.share
    assert (share.number, share.named, share.name) == (1, False, None)
    assert services.share_label(share) == "Förbund 1"
    assert share.organisation_id == wave.organisation_id
    assert "sender" not in share.report  # the name lives in one place only
    # the same report again changes nothing
    assert services.receive_report(dumps(report)).status == "unchanged"


def retouch(report, change):
    doc = copy.deepcopy(report)
    change(doc)
    return with_checksum(doc)


def messages_of(result):
    assert result.status == "refused"
    return [p.message for p in result.problems]


def test_refusals_in_swedish_and_nothing_written(published, wave):
    report = services.wave_report(wave, named=False, now=NOW)

    tampered = copy.deepcopy(report)
    rows_of(tampered)["total"]["value"] = 99.0  # checksum left as it was
    (text,) = messages_of(services.receive_report(dumps(tampered)))
    assert text.startswith("Kontrollsumman stämmer inte med innehållet")

    def other_protocol(doc):
        doc["protocol"]["id"] = "annat-protokoll"

    (text,) = messages_of(services.receive_report(dumps(retouch(report, other_protocol))))
    assert text.startswith("Protokollet ”annat-protokoll” är inte publicerat här.")

    def other_version(doc):
        doc["protocol"]["version"] = "2.0.0"

    (text,) = messages_of(services.receive_report(dumps(retouch(report, other_version))))
    assert text == (
        f"Version 2.0.0 av protokollet ”{report['protocol']['id']}” är inte publicerad här "
        f"(publicerade: {published.version})."
    )

    def other_file(doc):
        doc["protocol"]["checksum"] = "sha256:" + "0" * 64

    (text,) = messages_of(services.receive_report(dumps(retouch(report, other_file))))
    assert "Förbundet har importerat en annan fil än den publicerade" in text

    def next_format(doc):
        doc["formatVersion"] = "2.0"

    (text,) = messages_of(services.receive_report(dumps(retouch(report, next_format))))
    assert text == "Aggregatrapporten har formatversion 2.0; den här tjänsten läser version 1.0."

    def reveal(doc):
        rows_of(doc)["kon:M"]["n"] = 8

    (text,) = messages_of(services.receive_report(dumps(retouch(report, reveal))))
    assert "en dold cell får inte ha några uppgifter (n)" in text

    def small(doc):
        rows_of(doc)["kon:K"]["n"] = 3

    (text,) = messages_of(services.receive_report(dumps(retouch(report, small))))
    assert "visas med 3 svarande, färre än minsta cellstorlek 5" in text

    def lower_minimum(doc):
        doc["minCellSize"] = 3

    (text,) = messages_of(services.receive_report(dumps(retouch(report, lower_minimum))))
    assert text == "Rapporten döljer celler under 3 svarande, men protokollet kräver minst 5."

    def smuggle(doc):
        doc["rows"][0]["respondents"] = [{"D01": 5}]

    problems = services.receive_report(dumps(retouch(report, smuggle))).problems
    assert [p.path for p in problems] == ["$.rows[0].respondents"]
    assert "respondents" in problems[0].message

    def name_without_consent(doc):
        doc["sender"]["name"] = "Testförbundet"

    (text,) = messages_of(services.receive_report(dumps(retouch(report, name_without_consent))))
    assert "fast förbundet inte har valt att namnges" in text

    assert messages_of(services.receive_report(b"{not json")) != []
    assert share_count() == 0


def test_a_newer_share_of_the_same_wave_replaces_an_older_one_is_refused(published, wave):
    first = services.wave_report(wave, named=True, now=NOW)
    assert services.receive_report(dumps(first)).status == "received"
    db.session.commit()
    later = services.wave_report(wave, named=False, now=NOW + dt.timedelta(days=1))
    result = services.receive_report(dumps(later))
    assert result.status == "replaced"
    db.session.commit()
    assert share_count() == 1
    # the förbund withdrew its name: it is "Förbund 1" again, and its number stays
    assert (result.share.named, result.share.name, result.share.number) == (False, None, 1)
    (text,) = messages_of(services.receive_report(dumps(first)))
    assert text == (
        "Förbundet har redan delat en nyare rapport för oktober 2026 (2026-11-21 12:00); den "
        "här är från 2026-11-20 12:00 och ersätter den inte."
    )
    assert share_count() == 1


# --- isolation ------------------------------------------------------------------------------


def synthetic_report(published, key, value, *, name=None, n=20, status="not_reached"):
    """A report as another platform's förbund would send it (one measure, the total)."""
    row = {"indicator": "I01", "measure": MEASURE, "breakdown": "total", "status": status}
    if status != "suppressed":
        row.update(n=n, value=value)
    else:
        row["suppression"] = "primary"
    return national.build_report(
        protocol={
            "id": published.protocol_id,
            "version": published.version,
            "checksum": published.checksum,
        },
        sender_key=key * 64,
        name=name,
        wave={
            "respondentGroup": "deltagare",
            "period": "Oktober  2026",
            "schedule": None,
            "timepoint": None,
            "year": 2026,
        },
        min_cell_size=5,
        rows=[],
        created_at=NOW,
    ) | {"rows": [row]}


def receive(report):
    result = services.receive_report(dumps(with_checksum(report)))
    assert result.ok, [p.message for p in result.problems]
    db.session.commit()
    return result.share


def test_owner_table_by_hand_and_forbund_sees_only_its_own_beside_the_median(
    published, wave, client, make_user, login
):
    services.share_wave(wave, named=False, now=NOW)  # Förbund 1: 55.0 of 20
    db.session.commit()
    receive(synthetic_report(published, "a", 80.0, name="Samordningsförbundet Norr"))
    receive(synthetic_report(published, "b", None, status="suppressed"))
    receive(synthetic_report(published, "c", 40.0))
    cells = services.national_cells(published.protocol_id)
    total = next(c for c in cells if c.measure == MEASURE and c.breakdown == "total")
    assert [(e.label, e.value) for e in total.entries] == [
        ("Förbund 1", 55.0),
        ("Samordningsförbundet Norr", 80.0),
        ("Förbund 3", None),
        ("Förbund 4", 40.0),
    ]
    d = total.distribution
    # 40, 55, 80: q1 at h 0.5 = 47.5, q3 at h 1.5 = 67.5; the suppressed förbund left out
    assert (d.count, d.minimum, d.q1, d.median, d.q3, d.maximum) == (3, 40, 47.5, 55, 67.5, 80)

    # three förbund with a value: too few to show a förbund the national figures
    own = services.own_comparison(wave.organisation_id, published.protocol_id)
    mine = next(c for c in own if c.measure == MEASURE and c.breakdown == "total")
    assert (mine.own.value, mine.national) == (55.0, None)
    receive(synthetic_report(published, "d", 60.0))
    receive(synthetic_report(published, "e", 70.0))
    own = services.own_comparison(wave.organisation_id, published.protocol_id)
    mine = next(c for c in own if c.measure == MEASURE and c.breakdown == "total")
    # 40, 55, 60, 70, 80: q1 55, median 60, q3 70
    assert (mine.national.q1, mine.national.median, mine.national.q3) == (55, 60, 70)

    make_user("f@example.se", role="forbund", organisation=_org_of(wave))
    login("f@example.se")
    page = client.get(f"/uppfoljning/{wave.imported.id}/nationellt")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Samordningsförbundet Norr" not in body and "Förbund 4" not in body
    for value in ("80", "40"):  # another förbund's value (max, min) never shown
        assert f">{value}<" not in body
    assert ">60 %<" in body and "55–70 %" in body
    # the owner's page is not a förbund's page
    assert client.get(f"/studier/{published_study_slug(published)}/nationellt").status_code == 403


def _org_of(wave):
    from consensus.auth.models import Organisation

    return db.session.get(Organisation, wave.organisation_id)


def published_study_slug(published):
    from consensus.studies.models import Study

    return db.session.get(Study, published.study_id).slug


def test_owner_page_names_only_who_agreed_and_takes_an_upload(
    published, wave, client, make_user, login
):
    receive(synthetic_report(published, "a", 80.0, name="Samordningsförbundet Norr"))
    receive(synthetic_report(published, "c", 40.0))
    make_user()
    login()
    slug = published_study_slug(published)
    body = client.get(f"/studier/{slug}/nationellt").get_data(as_text=True)
    assert "Samordningsförbundet Norr" in body and "Förbund 2" in body
    assert "Testförbundet" not in body
    report = services.wave_report(wave, named=True, now=NOW)
    bad = copy.deepcopy(report)
    bad["minCellSize"] = 7
    import io

    refused = client.post(
        f"/studier/{slug}/nationellt/importera",
        data={"file": (io.BytesIO(dumps(bad)), "rapport.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "Kontrollsumman stämmer inte med innehållet" in refused.get_data(as_text=True)
    assert share_count() == 2
    done = client.post(
        f"/studier/{slug}/nationellt/importera",
        data={"file": (io.BytesIO(dumps(report)), "rapport.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    body = done.get_data(as_text=True)
    assert "Rapporten från Testförbundet för oktober 2026 är mottagen." in body
    assert share_count() == 3
    yearly = client.get(f"/studier/{slug}/nationellt/2026").get_data(as_text=True)
    assert "Nationell rapport 2026" in yearly and "Testförbundet" in yearly


def test_command_line_import_and_national_results(published, wave, runner, tmp_path):
    path = tmp_path / "aggregat.json"
    result = runner.invoke(args=["followup", "share", "testforbund", str(wave.id), "-o", str(path)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "fel.json"
    bad.write_bytes(path.read_bytes().replace(b'"minCellSize":5', b'"minCellSize":2'))
    refused = runner.invoke(args=["national", "import", str(bad)])
    assert refused.exit_code == 1
    assert "Rapporten togs inte emot: 1 fel." in refused.output
    assert "$.checksum" in refused.output and "Kontrollsumman stämmer inte" in refused.output
    assert share_count() == 0
    done = runner.invoke(args=["national", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "Tog emot rapporten från Förbund 1 för oktober 2026" in done.output
    again = runner.invoke(args=["national", "import", str(path)])
    assert "finns redan: inget ändrades" in again.output
    receive(synthetic_report(published, "c", 40.0))
    out = runner.invoke(
        args=["national", "results", published.protocol_id, "--format", "csv", "--year", "2026"]
    )
    assert out.exit_code == 0, out.output
    lines = out.output.lstrip("\ufeff").splitlines()
    assert lines[0].split(";") == list(services.national.CELL_COLUMNS)
    total = next(line for line in lines if ";I01-M1;" in line and ";total;" in line)
    # Förbund 1: 55, Förbund 2: 40 -> q1 at h 0.25 = 43.75, median 47.5, q3 51.25
    assert total.split(";")[7:] == ["2", "40", "43,75", "47,5", "51,25", "55"]
    unknown = runner.invoke(args=["national", "results", "finns-inte"])
    assert unknown.exit_code == 1 and "Protokollet ”finns-inte” är inte publicerat här" in (
        unknown.output
    )


def test_share_page_downloads_the_report_and_an_open_wave_is_not_shared(
    wave, client, make_user, login
):
    make_user("f@example.se", role="forbund", organisation=_org_of(wave))
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    make_user("g@example.se", role="forbund", organisation=other)
    login("f@example.se")
    url = f"/uppfoljning/{wave.imported.id}/matningar/{wave.id}/dela"
    page = client.get(url).get_data(as_text=True)
    # the owner is not on this platform: the file, no delivery button
    assert "Protokollets ägare använder en annan tjänst" in page
    assert "Dela med protokollets ägare" not in page
    response = client.post(url, data={"named": "nej", "download": "1"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="aggregat-')
    report = json.loads(response.data)
    assert national.check_document(report) == []
    assert "name" not in report["sender"]
    assert client.post(url, data={"named": "kanske", "download": "1"}).status_code == 422
    wave.status = "open"
    db.session.commit()
    assert "Mätningen är inte stängd" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"named": "ja", "download": "1"}, follow_redirects=True)
    assert "Bara en stängd mätning kan delas" in refused.get_data(as_text=True)
    # another förbund reaches neither the page nor the comparison
    client.post("/logga-ut")
    login("g@example.se")
    assert client.get(url).status_code == 404
    assert client.get(f"/uppfoljning/{wave.imported.id}/nationellt").status_code == 404


def test_a_report_uploaded_on_another_studys_page_is_refused(
    published, wave, client, make_user, login
):
    from consensus.studies import services as study_services

    study_services.create_study("annan", "En annan studie")
    db.session.commit()
    make_user()
    login()
    import io

    report = services.wave_report(wave, named=False, now=NOW)
    response = client.post(
        "/studier/annan/nationellt/importera",
        data={"file": (io.BytesIO(dumps(report)), "rapport.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "som inte hör till den här studien" in response.get_data(as_text=True)
    assert share_count() == 0
    # and the page in English
    client.post("/sprak", data={"lang": "en"})
    english = client.get(f"/studier/{published_study_slug(published)}/nationellt")
    assert "National comparison" in english.get_data(as_text=True)
    assert "Receive an aggregate report" in english.get_data(as_text=True)


def test_a_protocol_file_or_a_repeated_row_is_no_aggregate_report():
    (problem,) = national.check_report(dumps(example_protocol()))[1]
    assert problem.path == "$['$schema']"
    assert problem.message.startswith("Filen är ingen aggregatrapport: ”$schema” är ”urn:uuid:")
    row = {"indicator": "I01", "measure": MEASURE, "breakdown": "total", "status": "no_data"}
    report = national.build_report(
        protocol={"id": "p", "version": "1.0.0", "checksum": "sha256:" + "0" * 64},
        sender_key="a" * 64,
        name=None,
        wave={"respondentGroup": "deltagare", "period": "2026", "year": 2026},
        min_cell_size=5,
        rows=[],
        created_at=NOW,
    ) | {"rows": [row, dict(row)]}
    problems = national.check_document(with_checksum(report))
    assert [(p.path, p.message) for p in problems] == [
        ("$.rows[1]", "Måttet ”I01-M1” har två rader för ”total”. Varje mått har en rad per del.")
    ]


def test_a_nul_character_is_refused_before_it_reaches_the_database(published, wave):
    report = services.wave_report(wave, named=False, now=NOW)

    def nul(doc):
        doc["wave"]["period"] = "oktober\x002026"
        doc["protocol"]["id"] = "nns\x00"

    problems = services.receive_report(dumps(retouch(report, nul))).problems
    assert [(p.path, p.message) for p in problems] == [
        ("$.protocol.id", "Texten innehåller ett otillåtet nolltecken (NUL)."),
        ("$.wave.period", "Texten innehåller ett otillåtet nolltecken (NUL)."),
    ]
    assert share_count() == 0


def test_a_report_racing_another_for_the_same_wave_is_refused_not_a_server_error(
    published, wave, monkeypatch
):
    from consensus.followup.services import national as national_services

    report = services.wave_report(wave, named=False, now=NOW)
    real_now = national_services.utcnow

    def race():
        """Another request stores the same förbund's share between our look-up and write."""
        with db.engine.begin() as other:
            other.execute(
                NationalShare.__table__.insert().values(
                    protocol_id=report["protocol"]["id"],
                    protocol_version=report["protocol"]["version"],
                    sender=report["sender"]["key"],
                    number=1,
                    named=False,
                    period_key="oktober 2026",
                    period="oktober 2026",
                    year=2026,
                    respondent_group="deltagare",
                    checksum=report["checksum"],
                    report={},
                    created_at=NOW,
                    received_at=NOW,
                )
            )
        return real_now()

    monkeypatch.setattr(national_services, "utcnow", race)
    (text,) = messages_of(services.receive_report(dumps(report)))
    assert text == (
        "En annan rapport för samma mätning togs emot i samma ögonblick. Inget sparades; "
        "skicka rapporten igen."
    )
    db.session.rollback()
    assert share_count() == 1


def test_a_facilitator_reads_the_national_page_but_does_not_receive_files(
    published, client, make_user, login
):
    make_user("fac@example.se", role="facilitator")
    login("fac@example.se")
    slug = published_study_slug(published)
    page = client.get(f"/studier/{slug}/nationellt").get_data(as_text=True)
    assert "Nationell jämförelse" in page and "Ta emot en aggregatrapport" not in page
    assert client.post(f"/studier/{slug}/nationellt/importera").status_code == 403
