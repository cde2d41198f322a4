"""``consensus measures ...``: export the survey's proposals, decisions and selected measures,
and import proposals gathered on paper.

Each command calls the services and commits at most once; a refusal prints a Swedish message
and exits with status 1 (nothing is written).
"""

import json
import os
import sys

import click
from flask.cli import AppGroup

from .. import tabular
from ..extensions import db
from ..studies.commands import fail, study_or_fail
from . import services

#: File name suffix and XLSX sheet name of each export table.
TABLES = {"forslag": "Förslag", "beslut": "Beslut", "valda_matt": "Valda mått"}


def _survey(slug: str):
    study = study_or_fail(slug)
    survey = services.get_survey(study)
    if survey is None:
        fail(f"Studien ”{slug}” har ingen måttenkät.")
    return survey


@click.group("measures", cls=AppGroup)
def measures_cli() -> None:
    """Måttenkäten: export av förslag, beslut och valda mått; import av pappersförslag."""


@measures_cli.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx"]),
    default="json",
    show_default=True,
    help="Filformat.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help=(
        "json: en fil (utan -o: standard ut). xlsx: en fil med ett blad per tabell "
        "(utan -o: SLUG-matt.xlsx). csv: en mapp som får tre filer, SLUG-matt-forslag.csv, "
        "SLUG-matt-beslut.csv och SLUG-matt-valda_matt.csv (utan -o: aktuell mapp)."
    ),
)
def export(slug: str, fmt: str, output: str | None) -> None:
    """Exportera förslag (pseudonymt), beslut och valda mått.

    De svarande anges bara med pseudonym, nivå och organisationstyp: inga namn, e-
    postadresser eller organisationsnamn.
    """
    survey = _survey(slug)
    if fmt == "json":
        text = json.dumps(
            services.export_document(survey), ensure_ascii=False, indent=2, default=str
        )
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            click.echo(f"Skrev {output}.", err=True)
        else:
            sys.stdout.write(text + "\n")
        return
    tables = services.export_tables(survey)
    if fmt == "xlsx":
        path = output or f"{slug}-matt.xlsx"
        sheets = {TABLES[name]: table for name, table in tables.items()}
        with open(path, "wb") as handle:
            handle.write(tabular.write_xlsx(sheets))
        click.echo(f"Skrev {path}.")
        return
    folder = output or "."
    if os.path.exists(folder) and not os.path.isdir(folder):
        fail(f"{folder} är ingen mapp. För csv anger -o en mapp som får tre filer.")
    os.makedirs(folder, exist_ok=True)
    for name, (headers, rows) in tables.items():
        path = os.path.join(folder, f"{slug}-matt-{name}.csv")
        with open(path, "wb") as handle:
            handle.write(tabular.write_csv(headers, rows))
        click.echo(f"Skrev {path} ({len(rows)} rader).")


@measures_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_paper(slug: str, file: str) -> None:
    """Läs in förslag som samlats in på papper (XLSX eller CSV), allt eller inget.

    Kolumner: Indikator (kod), Namn på måttet, och gärna Svarande (blankettens
    etikett), Organisation, Organisationstyp, Nivå, Roll, Beskrivning, Slag, Metod,
    Datakälla, Respondentgrupp, Hur ofta, Enhet, Täljare och Nämnare. Har filen fel skrivs
    alla ut med radnummer och ingenting sparas.
    """
    survey = _survey(slug)
    with open(file, "rb") as handle:
        content = handle.read()
    name = os.path.basename(file)
    parsed = services.parse_paper_proposals(survey, content, name)
    for note in parsed.notes:
        click.echo(note, err=True)
    if not parsed.ok or not parsed.rows:
        for problem in parsed.problems:
            click.echo(problem, err=True)
        fail(
            f"{name} har {len(parsed.problems)} fel och lästes inte in."
            if parsed.problems
            else f"{name} har inga förslag."
        )
    try:
        count = services.import_paper_proposals(survey, parsed, filename=name)
    except services.MeasuresError:
        fail(f"{name} har fel och lästes inte in.")
    db.session.commit()
    click.echo(f"Läste in {count} förslag från {name}.")
