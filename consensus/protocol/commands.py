"""``consensus protocol ...``: publish a study's protocol, export a version, validate a file and
import a file or URL for a förbund.

Each command commits at most once; a refusal prints the same Swedish messages as the web pages
(every problem with its JSON path) and exits with status 1 (nothing is written).
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask
from sqlalchemy import select

from ..auth.models import Organisation
from ..extensions import db
from ..studies.services import get_study_by_slug
from . import render, services
from .canonical import dumps
from .validate import DEFAULT_MAX_BYTES, validate


def _fail(message: str, problems=()) -> None:
    db.session.rollback()
    for problem in problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(message)


def _study(slug: str):
    study = get_study_by_slug(slug)
    if study is None:
        _fail(f"Det finns ingen studie med kortnamnet ”{slug}”.")
    return study


def _read(path_or_url: str, max_bytes: int) -> tuple[bytes, str]:
    if path_or_url.lower().startswith(("http://", "https://")):
        try:
            return services.fetch_url(path_or_url, max_bytes), path_or_url
        except services.ProtocolError as error:
            _fail(error.message)
    if path_or_url == "-":
        return sys.stdin.buffer.read(max_bytes + 1), "stdin"
    try:
        with open(path_or_url, "rb") as handle:
            return handle.read(max_bytes + 1), os.path.basename(path_or_url)
    except OSError as error:
        _fail(f"Det gick inte att läsa filen {path_or_url}: {error.strerror or error}.")
    raise AssertionError("unreachable")


def _write(data: bytes, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"Skrev {output}.", err=True)


def register(app: Flask) -> None:
    """Attach the protocol commands to ``app.cli``."""

    @app.cli.group("protocol")
    def protocol_group() -> None:
        """Det mätbara protokollet: publicera, exportera, validera och importera."""

    @protocol_group.command("publish")
    @click.argument("slug")
    @click.option("--version", "version", required=True, help="Versionsnummer, t.ex. 1.0.0.")
    def publish_command(slug: str, version: str) -> None:
        """Publicera en version av studiens protokoll."""
        study = _study(slug)
        try:
            row = services.publish(study, version)
        except services.ProtocolError as error:
            _fail(error.message, error.problems if error.code == "invalid_document" else ())
        db.session.commit()
        click.echo(f"Publicerade {row.protocol_id} version {row.version} ({row.checksum}).")

    @protocol_group.command("export")
    @click.argument("slug")
    @click.option("--version", "version", default=None, help="Versionen (standard: senaste).")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "csv", "xlsx"]),
        default="json",
        show_default=True,
    )
    @click.option("-o", "--output", default=None, help="Fil att skriva (standard: skärmen).")
    def export_command(slug: str, version: str | None, fmt: str, output: str | None) -> None:
        """Exportera en publicerad version som JSON, CSV eller XLSX."""
        study = _study(slug)
        row = services.get_version(study, version) if version else services.latest(study)
        if row is None:
            _fail(
                f"Studien ”{slug}” har ingen publicerad version {version}."
                if version
                else f"Studien ”{slug}” har ingen publicerad version ännu."
            )
        if fmt == "xlsx" and output in (None, "-") and sys.stdout.isatty():
            _fail("Ange en fil med -o för XLSX.")
        data = {
            "json": lambda d: dumps(d),
            "csv": render.to_csv,
            "xlsx": render.to_xlsx,
        }[fmt](row.document)
        _write(data, output)

    @protocol_group.command("validate")
    @click.argument("file")
    @click.option("--max-bytes", default=DEFAULT_MAX_BYTES, show_default=True, type=int)
    def validate_command(file: str, max_bytes: int) -> None:
        """Kontrollera en protokollfil mot schemat och kontrollsumman."""
        data, _ = _read(file, max_bytes)
        problems = validate(data, max_bytes=max_bytes)
        if problems:
            _fail(f"Filen har {len(problems)} fel och kan inte importeras.", problems)
        click.echo("Filen är ett giltigt protokoll.")

    @protocol_group.command("import")
    @click.argument("file_or_url")
    @click.option("--org", "org_slug", required=True, help="Förbundets kortnamn.")
    @click.option("--max-bytes", default=DEFAULT_MAX_BYTES, show_default=True, type=int)
    def import_command(file_or_url: str, org_slug: str, max_bytes: int) -> None:
        """Importera ett publicerat protokoll (fil eller adress) till ett förbund."""
        org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        if org is None:
            _fail(
                f"Det finns inget förbund med kortnamnet ”{org_slug}”. Skapa det först med: "
                "consensus org create NAMN --slug KORTNAMN"
            )
        data, source = _read(file_or_url, max_bytes)
        result = services.import_document(org, data, source, max_bytes=max_bytes)
        if result.status == "refused":
            _fail(f"Protokollet importerades inte: {len(result.problems)} fel.", result.problems)
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
