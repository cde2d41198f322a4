"""``consensus protocol import FILE_OR_URL --org ORG``: a förbund imports a published protocol.

The command is attached to the ``protocol`` group by :mod:`consensus.cli` (the protocol package
never imports the follow-up). It commits at most once; a refusal prints the same Swedish
messages as the web pages (every problem with its JSON path) and exits with status 1 (nothing is
written).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..auth.models import Organisation
from ..extensions import db
from ..protocol.commands import fail, read_source
from ..protocol.validate import DEFAULT_MAX_BYTES
from . import services


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
