"""The ``consensus`` command (Flask's FlaskGroup). Also usable as ``flask --app wsgi ...``.

Every command is a module-level command or group, found by its name (``study_cli`` in
``consensus/studies/commands.py`` ...); ``register`` attaches them all to ``app.cli``, and
Flask-Migrate adds ``db``.
"""

import os

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from .auth.roles import Role
from .extensions import db

PASSWORD_ENV = "CONSENSUS_USER_PASSWORD"


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """Consensus: Delphi-studier, mått och protokoll för samordningsförbund."""


@cli.command("init-instance", with_appcontext=False)
@click.option("--local-http/--https", default=True, help="Tillåt kakor över http (lokal körning).")
def init_instance(local_http: bool) -> None:
    """Skapa instance/config.py med en slumpad SECRET_KEY (om filen saknas)."""
    import secrets

    from . import instance_path

    folder = instance_path()
    path = os.path.join(folder, "config.py")
    if os.path.exists(path):
        click.echo(f"{os.path.relpath(path)} finns redan: lämnas orörd.")
        return
    os.makedirs(folder, exist_ok=True)
    lines = [
        "# Local configuration, created by `consensus init-instance`. Not in git.",
        f"SECRET_KEY = {secrets.token_hex(32)!r}",
    ]
    if local_http:
        lines += [
            "# Served over plain http on 127.0.0.1: secure-only cookies would never be sent.",
            "SESSION_COOKIE_SECURE = False",
            "REMEMBER_COOKIE_SECURE = False",
            "# No mail server locally: invitations stay 'unsent' and say why.",
            "MAIL_SERVER = '127.0.0.1'",
            "MAIL_PORT = 1025",
        ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    click.echo(f"Skapade {os.path.relpath(path)}.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Användarens roll.",
)
@click.option("--name", default="", help="Namn som visas i tjänsten.")
@click.option("--org", "org_slug", default=None, help="Förbundets kortnamn (krävs för forbund).")
def create_user_command(email: str, role: str, name: str, org_slug: str | None) -> None:
    """Skapa ett personalkonto. Lösenordet frågas efter, eller tas från $CONSENSUS_USER_PASSWORD."""
    from sqlalchemy import select

    from .auth import services as auth_services
    from .auth.models import Organisation

    organisation = None
    if org_slug:
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        if organisation is None:
            raise click.ClickException(
                f"Det finns inget förbund med kortnamnet ”{org_slug}”. "
                "Skapa det först med: consensus org create NAMN --slug KORTNAMN"
            )
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet"
    )
    try:
        user = auth_services.create_user(
            email, password, role, name=name, organisation=organisation
        )
    except auth_services.AccountError as error:
        raise click.ClickException(error.render()) from None
    db.session.commit()
    click.echo(f"Skapade {user.email} med rollen {user.role}.")


@click.group("org", cls=AppGroup)
def org_cli() -> None:
    """Förbund (organisationer) som använder uppföljningen."""


@org_cli.command("create")
@click.argument("name")
@click.option("--slug", required=True, help="Kortnamn, t.ex. norra-vastmanland.")
def org_create(name: str, slug: str) -> None:
    """Skapa ett förbund (finns det redan ändras inget)."""
    from .auth import services as auth_services

    if not auth_services.SLUG_PATTERN.fullmatch(slug):
        raise click.ClickException(auth_services.AccountError("slug_invalid", slug=slug).render())
    org = auth_services.get_or_create_organisation(slug, name)
    db.session.commit()
    click.echo(f"Förbundet ”{org.name}” finns med kortnamnet {org.slug}.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Lägg in demostudien och demokonton (bara på en tom databas)."""
    from . import demo as demo_data

    created = demo_data.load_if_empty()
    if created:
        db.session.commit()
        click.echo("Demodata är inlagda.")
    else:
        click.echo("Databasen innehåller redan data: demon lades inte in på nytt.")
    click.echo(demo_data.logins_text())


def register(app: Flask) -> None:
    """Attach every command to ``app.cli`` (each is a module-level command or group)."""
    from .followup.commands import followup_cli, national_cli
    from .followup.commands import import_command as followup_import_command
    from .measures.commands import measures_cli
    from .protocol.commands import protocol_cli
    from .rounds.commands import ballots_cli, results_command, round_cli
    from .studies.commands import indicators_cli, panel_cli, study_cli, uploads_cli

    protocol_cli.add_command(followup_import_command)  # consensus protocol import ... --org
    for command in (
        create_user_command,
        org_cli,
        demo_command,
        study_cli,
        indicators_cli,
        panel_cli,
        uploads_cli,
        round_cli,
        ballots_cli,
        results_command,
        measures_cli,
        protocol_cli,
        followup_cli,
        national_cli,
    ):
        app.cli.add_command(command)
