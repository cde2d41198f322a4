"""``consensus protocol ...``: publish a study's protocol, export a version, validate a file.

``consensus protocol import`` (a förbund's import) is defined in :mod:`consensus.followup.commands`
and attached to this group by :mod:`consensus.cli` (protocol never imports followup).

Each command commits at most once; a refusal prints the same Swedish messages as the web pages
(every problem with its JSON path) and exits with status 1 (nothing is written).
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from ..studies.commands import fail, study_or_fail
from . import render, services
from .canonical import dumps
from .fetch import FetchError, fetch_url
from .validate import DEFAULT_MAX_BYTES, validate


def read_source(path_or_url: str, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of a protocol file (a path, ``-`` for stdin, or an http(s) URL) and a name
    for where they came from."""
    if path_or_url.lower().startswith(("http://", "https://")):
        try:
            return fetch_url(path_or_url, max_bytes), path_or_url
        except FetchError as error:
            fail(error.message)
    if path_or_url == "-":
        return sys.stdin.buffer.read(max_bytes + 1), "stdin"
    try:
        with open(path_or_url, "rb") as handle:
            return handle.read(max_bytes + 1), os.path.basename(path_or_url)
    except OSError as error:
        fail(f"Det gick inte att läsa filen {path_or_url}: {error.strerror or error}.")
    raise AssertionError("unreachable")


def _write(data: bytes, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"Skrev {output}.", err=True)


@click.group("protocol", cls=AppGroup)
def protocol_cli() -> None:
    """Det mätbara protokollet: publicera, exportera, validera och importera."""


@protocol_cli.command("publish")
@click.argument("slug")
@click.option("--version", "version", required=True, help="Versionsnummer, t.ex. 1.0.0.")
def publish_command(slug: str, version: str) -> None:
    """Publicera en version av studiens protokoll."""
    study = study_or_fail(slug)
    try:
        row = services.publish(study, version)
    except services.ProtocolError as error:
        fail(error.message, error.problems if error.code == "invalid_document" else ())
    db.session.commit()
    click.echo(f"Publicerade {row.protocol_id} version {row.version} ({row.checksum}).")


@protocol_cli.command("export")
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
    study = study_or_fail(slug)
    row = services.get_version(study, version) if version else services.latest(study)
    if row is None:
        fail(
            f"Studien ”{slug}” har ingen publicerad version {version}."
            if version
            else f"Studien ”{slug}” har ingen publicerad version ännu."
        )
    if fmt == "xlsx" and output in (None, "-") and sys.stdout.isatty():
        fail("Ange en fil med -o för XLSX.")
    data = {
        "json": lambda d: dumps(d),
        "csv": render.to_csv,
        "xlsx": render.to_xlsx,
    }[fmt](row.document)
    _write(data, output)


@protocol_cli.command("validate")
@click.argument("file")
@click.option("--max-bytes", default=DEFAULT_MAX_BYTES, show_default=True, type=int)
def validate_command(file: str, max_bytes: int) -> None:
    """Kontrollera en protokollfil mot schemat och kontrollsumman."""
    data, _ = read_source(file, max_bytes)
    problems = validate(data, max_bytes=max_bytes)
    if problems:
        fail(f"Filen har {len(problems)} fel och kan inte importeras.", problems)
    click.echo("Filen är ett giltigt protokoll.")
