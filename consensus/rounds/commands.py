"""``consensus round ...``, ``consensus ballots ...`` and ``consensus results ...``.

Each command calls the services and commits once; a refusal prints a Swedish message and exits
with status 1 (nothing is written).
"""

import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..extensions import db
from ..studies.commands import fail, study_or_fail
from ..tabular import write_csv
from . import result_tables, services
from .models import METHODS


def error_text(error: services.RoundError) -> str:
    """The refusal in Swedish, from the same catalogue as the pages (``rounds/messages.py``)."""
    return error.render()


def _round(slug: str, number: int):
    study = study_or_fail(slug)
    found = services.get_round(study, number)
    if found is None:
        fail(f"Studien ”{slug}” har ingen omgång {number}.")
    return found


def _when(text: str | None) -> datetime | None:
    """An ISO 8601 time; without a zone it is read in the app's time zone (Stockholm)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"”{text}” är ingen tid (ÅÅÅÅ-MM-DD TT:MM).") from None
    if value.tzinfo is None:
        zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Stockholm")
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value


@click.group("round", cls=AppGroup)
def round_cli() -> None:
    """Delphi-omgångar: skapa, öppna, stänga, bekräfta."""


@round_cli.command("create")
@click.argument("slug")
@click.option("--method", required=True, type=click.Choice(METHODS), help="Röstningsmetod.")
@click.option("--max-selections", type=int, default=None, help="Prickröstning: högst K val.")
@click.option("--top-m", type=int, default=None, help="Rangordning: bara de M främsta.")
@click.option("--final", is_flag=True, help="Sista omgången: väljer kärnuppsättningen.")
@click.option("--closes-at", default=None, help="Stängningstid, t.ex. 2026-03-01T17:00.")
def round_create(slug, method, max_selections, top_m, final, closes_at) -> None:
    """Skapa nästa omgång (som utkast)."""
    study = study_or_fail(slug)
    try:
        new = services.create_round(
            study,
            method,
            max_selections=max_selections,
            top_m=top_m,
            is_final=final,
            closes_at=_when(closes_at),
        )
    except services.RoundError as error:
        fail(error_text(error))
    count = len(new.items)
    db.session.commit()
    click.echo(f"Skapade omgång {new.number} ({method}) med {count} indikatorer.")


@round_cli.command("open")
@click.argument("slug")
@click.argument("number", type=int)
def round_open(slug, number) -> None:
    """Öppna en omgång för svar."""
    found = _round(slug, number)
    try:
        services.open_round(found)
    except services.RoundError as error:
        fail(error_text(error))
    db.session.commit()
    click.echo(f"Omgång {number} är öppen.")


@round_cli.command("close")
@click.argument("slug")
@click.argument("number", type=int)
def round_close(slug, number) -> None:
    """Stäng en omgång och räkna fram resultaten."""
    found = _round(slug, number)
    try:
        document = services.close_round(found)
    except services.RoundError as error:
        fail(error_text(error))
    db.session.commit()
    click.echo(
        f"Omgång {number} är stängd: {document['n_panelists']} deltagare svarade, "
        f"{document['n_items']} indikatorer."
    )


@round_cli.command("reopen")
@click.argument("slug")
@click.argument("number", type=int)
@click.option("--reason", required=True, help="Varför omgången öppnas igen (loggas).")
def round_reopen(slug, number, reason) -> None:
    """Öppna en stängd omgång igen (bara tills nästa omgång har öppnat)."""
    found = _round(slug, number)
    try:
        services.reopen_round(found, reason=reason)
    except services.RoundError as error:
        fail(error_text(error))
    db.session.commit()
    click.echo(f"Omgång {number} är öppen igen.")


@round_cli.command("confirm")
@click.argument("slug")
@click.argument("number", type=int)
def round_confirm(slug, number) -> None:
    """Bekräfta de föreslagna besluten (vad som går vidare) utan ändringar."""
    found = _round(slug, number)
    try:
        items = services.confirm_decisions(found)
    except services.RoundError as error:
        fail(error_text(error))
    db.session.commit()
    counts: dict[str, int] = {}
    for item in items:
        counts[item.decision] = counts.get(item.decision, 0) + 1
    summary = ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))
    click.echo(f"Besluten i omgång {number} är bekräftade ({summary}).")


@round_cli.command("tick")
def round_tick() -> None:
    """Öppna och stäng omgångar vars tider har passerat (för cron, t.ex. varje minut)."""
    try:
        done = services.run_schedule()
    except services.RoundError as error:
        fail(error_text(error))
    db.session.commit()
    for item in done["opened"]:
        click.echo(f"Öppnade omgång {item.number} i studien {item.study.slug}.")
    for item in done["closed"]:
        click.echo(f"Stängde omgång {item.number} i studien {item.study.slug}.")
    if not done["opened"] and not done["closed"]:
        click.echo("Ingen omgång behövde öppnas eller stängas.")


@click.group("ballots", cls=AppGroup)
def ballots_cli() -> None:
    """Röstsedlar på papper och från filer."""


@ballots_cli.command("import")
@click.argument("slug")
@click.argument("number", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def ballots_import(slug, number, path) -> None:
    """Läs in röster från en CSV- eller XLSX-fil (allt eller inget)."""
    found = _round(slug, number)
    with open(path, "rb") as handle:
        content = handle.read()
    parsed = services.parse_ballot_file(found, content, path)
    if not parsed.ok:
        db.session.rollback()
        for problem in parsed.problems:
            click.echo(problem.message, err=True)
        click.echo(f"Inget lästes in: {len(parsed.problems)} fel i filen.", err=True)
        sys.exit(1)
    try:
        ballots, answers, new = services.import_ballots(found, parsed, filename=path)
    except services.RoundError as error:
        fail(error_text(error))
    db.session.commit()
    click.echo(f"Läste in {answers} svar från {ballots} deltagare ({new} nya pappersdeltagare).")


@click.command("results")
@with_appcontext
@click.argument("slug")
@click.argument("number", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--excel", is_flag=True, help="CSV som svenska Excel öppnar (; och decimalkomma).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None)
def results_command(slug, number, fmt, excel, output) -> None:
    """Skriv ut resultaten av en stängd omgång (JSON, eller CSV med en rad per indikator)."""
    found = _round(slug, number)
    document = services.get_result(found)
    if document is None:
        fail(error_text(services.RoundError("round_not_closed")))
    if fmt == "json":
        data = (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode(
            "utf-8"
        )
    else:
        headers, rows = result_tables.results_table(document)
        data = write_csv(headers, rows, excel=excel)
    db.session.commit()  # nothing written; ends the read transaction
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
    else:
        click.echo(data, nl=False)  # bytes go to the binary stream as they are
