"""``consensus study ...``, ``consensus indicators ...`` and ``consensus panel ...``.

For scripting and for förbund IT. A bad file prints the same row/column messages as the web
preview, writes nothing and exits non-zero.
"""

import json
import pathlib
import re
import sys
from typing import NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .. import tabular
from ..auth.models import User
from ..auth.services import normalise_email
from ..extensions import db
from . import importing, services

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def fail(message: str, problems=()) -> NoReturn:
    """Refuse: nothing is written, each problem is printed, and the command exits with
    status 1 and ``message`` (every feature's commands refuse this way)."""
    db.session.rollback()
    for problem in problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(message)


def study_or_fail(slug: str):
    """The study with the short name ``slug``, or a refusal naming it."""
    study = services.get_study_by_slug(slug)
    if study is None:
        fail(f"Det finns ingen studie med kortnamnet ”{slug}”.")
    return study


def _read(path: str) -> bytes:
    try:
        return pathlib.Path(path).read_bytes()
    except OSError as error:
        raise click.ClickException(f"Kunde inte läsa {path}: {error.strerror}") from None


def _report(parsed, path: str) -> None:
    for note in parsed.notes:
        click.echo(f"Obs: {note.message}")
    if not parsed.ok:
        for problem in parsed.problems:
            click.echo(problem.message, err=True)
        raise click.ClickException(f"{path}: {len(parsed.problems)} fel. Ingenting har sparats.")


@click.group("study", cls=AppGroup)
def study_cli() -> None:
    """Studier."""


@study_cli.command("create")
@click.argument("title")
@click.option("--slug", required=True, help="Kortnamn i adresser, t.ex. nns-2026.")
@click.option("--target", "target_core_size", type=int, default=15, show_default=True)
@click.option("--min-group-size", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--group", "groups", multiple=True, help="Intressentgrupp (kan upprepas).")
@click.option("--owner", default=None, help="E-postadress till projektledaren som äger studien.")
def study_create(title, slug, target_core_size, min_group_size, groups, owner) -> None:
    """Skapa en studie."""
    if not SLUG_RE.match(slug):
        raise click.ClickException(
            "Kortnamnet får bara innehålla små bokstäver a–z, siffror och bindestreck."
        )
    owner_user = None
    if owner is not None:
        owner_user = db.session.scalar(
            select(User).where(User.email == normalise_email(owner), User.role == "projektledare")
        )
        if owner_user is None or not owner_user.active:
            raise click.ClickException(f"Det finns inget aktivt projektledarkonto {owner}.")
    try:
        study = services.create_study(
            slug,
            title,
            created_by=owner_user,
            target_core_size=target_core_size,
            min_group_size=min_group_size,
        )
        for name in groups:
            services.add_group(study, "", name)
    except services.StudyError as error:
        raise click.ClickException(_error_text(error)) from None
    db.session.commit()
    click.echo(f"Skapade studien ”{study.title}” ({study.slug}).")


@click.group("indicators", cls=AppGroup)
def indicators_cli() -> None:
    """Kandidatindikatorer."""


@indicators_cli.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(dir_okay=False))
def indicators_import(slug, path) -> None:
    """Importera kandidatindikatorer från XLSX eller CSV (allt eller inget)."""
    study = study_or_fail(slug)
    parsed = importing.parse_indicators(
        _read(path), pathlib.Path(path).name, services.indicator_codes(study)
    )
    _report(parsed, path)
    try:
        created, updated = services.apply_indicator_import(
            study, parsed, filename=pathlib.Path(path).name
        )
    except services.StudyError as error:
        raise click.ClickException(_error_text(error)) from None
    db.session.commit()
    click.echo(f"{created} nya och {updated} uppdaterade indikatorer.")


@indicators_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None)
def indicators_export(slug, fmt, output) -> None:
    """Exportera kandidatpoolen (CSV, XLSX eller JSON); återimporteras oförändrad."""
    study = study_or_fail(slug)
    headers, rows = importing.indicator_export_rows(study.indicators)
    if fmt == "csv":
        content = tabular.write_csv(headers, rows)
    elif fmt == "xlsx":
        content = tabular.write_xlsx({"Indikatorer": (headers, rows)})
    else:
        content = json.dumps(
            {
                "study": study.slug,
                "indicators": [
                    {
                        "code": i.code,
                        "title": i.title,
                        "description": i.description,
                        "perspective": i.perspective,
                        "type": i.type,
                        "source": i.source,
                    }
                    for i in study.indicators
                ],
            },
            ensure_ascii=False,
            indent=2,
        ).encode("utf-8")
    if output:
        pathlib.Path(output).write_bytes(content)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


@click.group("panel", cls=AppGroup)
def panel_cli() -> None:
    """Panelen."""


@panel_cli.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(dir_okay=False))
def panel_import(slug, path) -> None:
    """Importera paneldeltagare från XLSX eller CSV (allt eller inget)."""
    study = study_or_fail(slug)
    parsed = importing.parse_panelists(
        _read(path),
        pathlib.Path(path).name,
        {g.code: g.name for g in study.groups},
        [p.email for p in study.participants if p.email],
    )
    _report(parsed, path)
    created, updated = services.apply_panel_import(
        study, parsed, {g.code: g for g in study.groups}, filename=pathlib.Path(path).name
    )
    db.session.commit()
    click.echo(f"{created} nya och {updated} uppdaterade paneldeltagare.")


def _error_text(error: services.StudyError) -> str:
    """The refusal in Swedish, from the same catalogue as the pages (``studies/messages.py``)."""
    return error.render()


@click.group("uploads", cls=AppGroup)
def uploads_cli() -> None:
    """Uppladdade filer som väntar på bekräftelse."""


@uploads_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Räkna bara, ta inte bort något.")
def uploads_purge_command(dry_run: bool) -> None:
    """Ta bort uppladdade filer som väntat på bekräftelse i mer än ett dygn (körs lämpligen
    varje minut av tick-jobbet)."""
    count = services.purge_stale_uploads()
    if dry_run:
        db.session.rollback()
        click.echo(f"{count} uppladdade filer skulle tas bort (inget ändrades).")
        return
    db.session.commit()
    click.echo(f"{count} uppladdade filer som aldrig bekräftades är borttagna.")
