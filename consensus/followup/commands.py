"""A förbund's follow-up on the command line.

``consensus protocol import FILE_OR_URL --org ORG``: a förbund imports a published protocol.
``consensus followup wave create|open|close|list`` and ``consensus followup codes``: waves and
longitudinal codes (the same services and messages as the pages).

The command is attached to the ``protocol`` group by :mod:`consensus.cli` (the protocol package
never imports the follow-up). It commits at most once; a refusal prints the same Swedish
messages as the web pages (every problem with its JSON path) and exits with status 1 (nothing is
written).
"""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..auth.models import Organisation
from ..extensions import db
from ..protocol.commands import fail, read_source
from ..protocol.validate import DEFAULT_MAX_BYTES
from . import services
from .messages import render as render_followup


@click.command("import")
@with_appcontext
@click.argument("file_or_url")
@click.option("--org", "org_slug", required=True, help="Förbundets kortnamn.")
@click.option("--max-bytes", default=DEFAULT_MAX_BYTES, show_default=True, type=int)
def import_command(file_or_url: str, org_slug: str, max_bytes: int) -> None:
    """Importera ett publicerat protokoll (fil eller adress) till ett förbund."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        fail(
            f"Det finns inget förbund med kortnamnet ”{org_slug}”. Skapa det först med: "
            "consensus org create NAMN --slug KORTNAMN"
        )
    data, source = read_source(file_or_url, max_bytes)
    result = services.import_document(org, data, source, max_bytes=max_bytes)
    if result.status == "refused":
        fail(f"Protokollet importerades inte: {len(result.problems)} fel.", result.problems)
    imported = result.imported
    if result.status == "unchanged":
        click.echo(
            f"{imported.protocol_id} version {imported.version} är redan importerad: "
            "inget ändrades."
        )
        return
    db.session.commit()
    click.echo(f"Importerade {imported.protocol_id} version {imported.version}.")
    if result.diff is not None:
        d = result.diff
        click.echo(
            f"Jämfört med version {result.previous.version}: "
            f"indikatorer +{len(d.indicators.added)} −{len(d.indicators.removed)} "
            f"ändrade {len(d.indicators.changed)}; mått +{len(d.measures.added)} "
            f"−{len(d.measures.removed)} ändrade {len(d.measures.changed)}; frågor "
            f"+{len(d.items.added)} −{len(d.items.removed)} ändrade {len(d.items.changed)}."
        )
        if d.breaks_comparability:
            click.echo("Jämförbarheten bryts: " + "; ".join(b.message for b in d.breaks) + ".")


# --- consensus followup ... ------------------------------------------------------------------

followup_cli = click.Group(
    "followup", help="Uppföljning: mätningar och koder för ett förbunds importerade protokoll."
)


def _org(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        fail(render_followup("unknown_organisation", {"slug": slug}))
    return org


def _wave(org: Organisation, wave_id: int):
    wave = services.wave_of(org, wave_id)
    if wave is None:
        fail(render_followup("unknown_wave", {"wave": wave_id}))
    return wave


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(render_followup("bad_date", {"value": value}))
        raise  # unreachable: fail raises


@followup_cli.group("wave")
def wave_cli() -> None:
    """Mätningar: skapa, öppna, stäng, lista."""


@wave_cli.command("create")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.option("--protocol", "protocol_id", required=True, help="Protokollets id.")
@click.option("--version", "version", default=None, help="Version (utan: den senast importerade).")
@click.option("--group", "respondent_group", required=True, help="Svarsgrupp i protokollet.")
@click.option("--schedule", default=None, help="Mätschema (händelsebaserat), t.ex. inskrivning.")
@click.option("--timepoint", default=None, help="Mätpunkt i schemat, t.ex. P6M.")
@click.option("--period", default=None, help="Kalenderperiod, t.ex. ”oktober 2026”.")
@click.option("--opens", "opens_on", required=True, help="Öppnar (ÅÅÅÅ-MM-DD).")
@click.option("--closes", "closes_on", required=True, help="Sista svarsdag (ÅÅÅÅ-MM-DD).")
@click.option("--local-group", "letters", multiple=True, help="Deltagande grupp (bokstav).")
def wave_create(
    org_slug: str,
    protocol_id: str,
    version: str | None,
    respondent_group: str,
    schedule: str | None,
    timepoint: str | None,
    period: str | None,
    opens_on: str,
    closes_on: str,
    letters: tuple[str, ...],
) -> None:
    """Skapa en mätning (utkast) och skriv ut dess öppna länk en gång."""
    org = _org(org_slug)
    versions = services.imported_versions(org, protocol_id)
    if version is not None:
        versions = [v for v in versions if v.version == version]
    if not versions:
        fail(render_followup("unknown_imported", {"protocol": protocol_id, "version": version}))
    groups = {g.letter: g.id for g in services.local_groups(org)}
    unknown = [letter for letter in letters if letter.upper() not in groups]
    if unknown:
        fail(render_followup("unknown_local_group", {"group": unknown[0]}))
    try:
        wave, token = services.create_wave(
            org,
            versions[-1],
            respondent_group,
            schedule_id=schedule,
            timepoint=timepoint,
            period=period,
            opens_on=_date(opens_on),
            closes_on=_date(closes_on),
            local_group_ids=[groups[letter.upper()] for letter in letters],
        )
    except services.FollowupError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"Skapade mätning {wave.id} (utkast): {services.time_point_text(wave)}.")
    click.echo(f"Öppen länk (visas bara nu): {_open_path(token)}")


def _open_path(token: str) -> str:
    from flask import current_app, url_for

    base = current_app.config.get("PUBLIC_BASE_URL")
    with current_app.test_request_context():
        path = url_for("followup.respond", token=token)
    return (base.rstrip("/") + path) if base else path


def _move(org_slug: str, wave_id: int, action: str) -> None:
    org = _org(org_slug)
    wave = _wave(org, wave_id)
    try:
        services.move_wave(wave, action)
    except services.FollowupError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"Mätning {wave.id} är nu {wave.status}.")


@wave_cli.command("open")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("wave_id", metavar="WAVE", type=int)
def wave_open(org_slug: str, wave_id: int) -> None:
    """Öppna en mätning för svar."""
    _move(org_slug, wave_id, "open")


@wave_cli.command("close")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("wave_id", metavar="WAVE", type=int)
def wave_close(org_slug: str, wave_id: int) -> None:
    """Stäng en mätning (det som sparats finns kvar)."""
    _move(org_slug, wave_id, "close")


@wave_cli.command("list")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def wave_list(org_slug: str, fmt: str) -> None:
    """Förbundets mätningar med antal inskickade enkäter."""
    org = _org(org_slug)
    rows = services.waves(org)
    count = services.counts([w.id for w in rows])
    summaries = [services.wave_summary(w, count[w.id]) for w in rows]
    if fmt == "json":
        click.echo(json.dumps(summaries, ensure_ascii=False, indent=2))
        return
    for s in summaries:
        click.echo(
            f"{s['id']}\t{s['respondentGroup']}\t{s['timePoint']['label']}\t{s['status']}\t"
            f"{s['questionnaires']} enkäter"
        )


@followup_cli.command("codes")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.option("--count", "count", required=True, type=int, help="Antal koder.")
@click.option("--cohort", default="", help="Kohortens namn (aldrig namn på personer).")
def codes_command(org_slug: str, wave_id: int, count: int, cohort: str) -> None:
    """Skapa longitudinella koder; de skrivs ut en gång och sparas bara som kontrollvärden.
    Nyckeln mellan kod och person stannar hos förbundet."""
    org = _org(org_slug)
    wave = _wave(org, wave_id)
    try:
        codes = services.generate_codes(org, count, cohort, wave)
    except services.FollowupError as error:
        fail(error.message)
    db.session.commit()
    for code in codes:
        click.echo(code)


@followup_cli.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Visa bara hur många som skulle tas bort.")
def purge_command(dry_run: bool) -> None:
    """Ta bort påbörjade webbenkäter som aldrig skickades in, när mätningens sista svarsdag
    passerade för mer än 30 dagar sedan (körs lämpligen varje natt)."""
    count = services.purge_drafts()
    if dry_run:
        db.session.rollback()
        click.echo(f"{count} påbörjade enkäter skulle tas bort (inget ändrades).")
        return
    db.session.commit()
    click.echo(f"{count} påbörjade enkäter som aldrig skickades in är borttagna.")


# --- followup-entry: answers import and export, register figures ---------------------------


@followup_cli.group("answers")
def answers_cli() -> None:
    """Enkätsvar: importera från fil, exportera råsvar."""


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        fail(f"Filen ”{path}” kunde inte läsas: {error.strerror}.")
        raise  # unreachable: fail raises


@answers_cli.command("import")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.argument("path", metavar="FILE")
def answers_import(org_slug: str, wave_id: int, path: str) -> None:
    """Importera enkäter (CSV eller XLSX, en rad per respondent) till en mätning."""
    import os

    org = _org(org_slug)
    wave = _wave(org, wave_id)
    data = _read_file(path)
    try:
        preview = services.preview_import(wave, data, os.path.basename(path))
    except services.FollowupError as error:
        fail(error.message)
    if not preview.ok:
        fail(
            f"Inget importerades: {len(preview.problems)} fel i filen.",
            preview.problems,
        )
    count = services.import_answers(preview)
    db.session.commit()
    click.echo(f"Importerade {count} enkäter till mätning {wave.id}.")


@answers_cli.command("export")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.option("--format", "fmt", type=click.Choice(services.EXPORT_FORMATS), default="csv")
@click.option("-o", "--output", default=None, help="Fil att skriva (utan: standard ut).")
def answers_export(org_slug: str, wave_id: int, fmt: str, output: str | None) -> None:
    """Exportera en mätnings råsvar: en rad per respondent, aldrig en tidpunkt eller en kod."""
    org = _org(org_slug)
    wave = _wave(org, wave_id)
    body = services.render_answers(services.answers_table(wave), fmt)
    if output:
        with open(output, "wb") as handle:
            handle.write(body)
        click.echo(f"Skrev {output}.", err=True)
    else:
        click.echo(body, nl=False)


@followup_cli.group("register")
def register_cli() -> None:
    """Register- och dokumentuppgifter."""


@register_cli.command("import")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("path", metavar="FILE")
@click.option("--protocol", "protocol_id", default=None, help="Protokollets id.")
@click.option("--version", default=None, help="Version (utan: den senast importerade).")
def register_import(org_slug: str, path: str, protocol_id: str | None, version: str | None) -> None:
    """Importera registeruppgifter (CSV eller XLSX: mått, period, grupp, täljare, nämnare,
    värde) till förbundets importerade protokoll."""
    import os

    org = _org(org_slug)
    versions = services.imported_versions(org, protocol_id)
    if version is not None:
        versions = [v for v in versions if v.version == version]
    if not versions:
        fail(
            render_followup(
                "unknown_imported", {"protocol": protocol_id or "–", "version": version or "–"}
            )
        )
    imported = versions[-1]
    checked = services.preview_figures(imported, _read_file(path), os.path.basename(path))
    if not checked.ok:
        fail(f"Inget importerades: {len(checked.problems)} fel i filen.", checked.problems)
    count = services.save_figures(imported, checked)
    db.session.commit()
    click.echo(
        f"Sparade {count} registeruppgifter för {imported.protocol_id} version {imported.version}."
    )


# --- followup-results ---------------------------------------------------------------------


@followup_cli.command("results")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.option("--wave", "wave_id", type=int, default=None, help="Bara denna mätning.")
@click.option("--protocol", "protocol_id", default=None, help="Protokollets id.")
@click.option("--version", default=None, help="Version (utan: den senast importerade).")
@click.option("--format", "fmt", type=click.Choice(services.RESULT_FORMATS), default="json")
@click.option("-o", "--output", default=None, help="Fil att skriva (utan: standard ut).")
def results_command(
    org_slug: str,
    wave_id: int | None,
    protocol_id: str | None,
    version: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Förbundets resultat per indikator, mått, mätning och del (totalt, kön, grupp), med
    små celler dolda: samma siffror som resultatsidan."""
    org = _org(org_slug)
    wave = _wave(org, wave_id) if wave_id is not None else None
    if wave is not None:
        imported = wave.imported
    else:
        versions = services.imported_versions(org, protocol_id)
        if version is not None:
            versions = [v for v in versions if v.version == version]
        if not versions:
            fail(
                render_followup(
                    "unknown_imported", {"protocol": protocol_id or "–", "version": version or "–"}
                )
            )
        imported = versions[-1]
    body = services.render_results(services.build_results(imported, wave).rows, fmt)
    if output:
        with open(output, "wb") as handle:
            handle.write(body)
        click.echo(f"Skrev {output}.", err=True)
    else:
        click.echo(body, nl=False)


# --- national: share a wave's aggregates, import them, the national figures ------------------


def _write(body: bytes, output: str | None) -> None:
    if output:
        with open(output, "wb") as handle:
            handle.write(body)
        click.echo(f"Skrev {output}.", err=True)
    else:
        click.echo(body, nl=False)


@followup_cli.command("share")
@with_appcontext
@click.argument("org_slug", metavar="ORG")
@click.argument("wave_id", metavar="WAVE", type=int)
@click.option("--named", is_flag=True, help="Förbundet får namnges i den nationella jämförelsen.")
@click.option("-o", "--output", default=None, help="Fil att skriva (utan: standard ut).")
def share_command(org_slug: str, wave_id: int, named: bool, output: str | None) -> None:
    """Skriv en stängd mätnings aggregatrapport till protokollets ägare: bara cellernas
    siffror (totalt och kön, små celler dolda), aldrig svar från enskilda."""
    from ..protocol.canonical import dumps

    org = _org(org_slug)
    wave = _wave(org, wave_id)
    try:
        report = services.wave_report(wave, named=named)
    except services.FollowupError as error:
        fail(error.message)
    _write(dumps(report), output)


national_cli = click.Group(
    "national",
    help="Nationell jämförelse: aggregatrapporter från förbunden till protokollets ägare.",
)


@national_cli.command("import")
@with_appcontext
@click.argument("path", metavar="FILE")
def national_import(path: str) -> None:
    """Ta emot en aggregatrapport (JSON). Inget sparas om något i filen är fel."""
    result = services.receive_report(_read_file(path))
    if not result.ok:
        fail(f"Rapporten togs inte emot: {len(result.problems)} fel.", result.problems)
    share = result.share
    label = services.share_label(share)
    if result.status == "unchanged":
        click.echo(f"Rapporten från {label} för {share.period} finns redan: inget ändrades.")
        return
    db.session.commit()
    verb = "Ersatte" if result.status == "replaced" else "Tog emot"
    click.echo(f"{verb} rapporten från {label} för {share.period} ({share.protocol_id}).")


@national_cli.command("results")
@with_appcontext
@click.argument("protocol_id", metavar="PROTOCOL_ID")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--year", type=int, default=None, help="Bara detta år (den nationella årsrapporten).")
@click.option("-o", "--output", default=None, help="Fil att skriva (utan: standard ut).")
def national_results(protocol_id: str, fmt: str, year: int | None, output: str | None) -> None:
    """Fördelningen över förbunden per mått, period och del: antal förbund, min, kvartiler,
    median, max (bara förbund vars cell inte är dold)."""
    from ..protocol import services as protocol_services

    if not protocol_services.published_versions(protocol_id):
        fail(render_followup("national_unknown_protocol", {"protocol": protocol_id}))
    _write(services.render_cells(services.national_cells(protocol_id, year=year), fmt), output)
