"""The ``consensus`` command (Flask's FlaskGroup). Also usable as ``flask --app wsgi ...``.

Commands are attached to ``app.cli`` by ``register``; Flask-Migrate adds ``db``.
"""

import os

import click
from flask import Flask
from flask.cli import FlaskGroup

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


def register(app: Flask) -> None:
    from .auth import services as auth_services
    from .auth.roles import Role
    from .followup.commands import followup_cli
    from .followup.commands import import_command as followup_import_command
    from .measures.commands import register as register_measure_commands
    from .protocol.commands import protocol_cli
    from .rounds.commands import register as register_round_commands
    from .studies.commands import register as register_study_commands

    register_study_commands(app)
    register_round_commands(app)
    register_measure_commands(app)
    protocol_cli.add_command(followup_import_command)  # consensus protocol import ... --org
    app.cli.add_command(protocol_cli)
    app.cli.add_command(followup_cli)

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option(
        "--role",
        required=True,
        type=click.Choice([r.value for r in Role]),
        help="Användarens roll.",
    )
    @click.option("--name", default="", help="Namn som visas i tjänsten.")
    @click.option(
        "--org", "org_slug", default=None, help="Förbundets kortnamn (krävs för forbund)."
    )
    def create_user(email: str, role: str, name: str, org_slug: str | None) -> None:
        """Skapa ett personalkonto. Lösenordet frågas efter, eller tas från $CONSENSUS_USER_PASSWORD."""
        from sqlalchemy import select

        from .auth.models import Organisation

        organisation = None
        if org_slug:
            organisation = db.session.scalar(
                select(Organisation).where(Organisation.slug == org_slug)
            )
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
            raise click.ClickException(account_error_text(error)) from None
        db.session.commit()
        click.echo(f"Skapade {user.email} med rollen {user.role}.")

    @app.cli.group("org")
    def org() -> None:
        """Förbund (organisationer) som använder uppföljningen."""

    @org.command("create")
    @click.argument("name")
    @click.option("--slug", required=True, help="Kortnamn, t.ex. norra-vastmanland.")
    def org_create(name: str, slug: str) -> None:
        """Skapa ett förbund (finns det redan ändras inget)."""
        if not auth_services.SLUG_PATTERN.fullmatch(slug):
            raise click.ClickException(
                "Kortnamnet får bara innehålla små bokstäver a–z, siffror och bindestreck."
            )
        org = auth_services.get_or_create_organisation(slug, name)
        db.session.commit()
        click.echo(f"Förbundet ”{org.name}” finns med kortnamnet {org.slug}.")

    @app.cli.command("demo")
    def demo() -> None:
        """Lägg in demostudien och demokonton (bara på en tom databas)."""
        from . import demo as demo_data

        created = demo_data.load_if_empty()
        if created:
            db.session.commit()
            click.echo("Demodata är inlagda.")
        else:
            click.echo("Databasen innehåller redan data: demon lades inte in på nytt.")
        click.echo(demo_data.logins_text())


def account_error_text(error) -> str:
    texts = {
        "unknown_role": "Okänd roll ”{role}”.",
        "organisation_required": "En förbundsanvändare måste höra till ett förbund (--org).",
        "password_too_short": "Lösenordet måste ha minst {min} tecken.",
        "email_taken": "Det finns redan ett konto för {email}.",
        "organisation_not_allowed": (
            "Bara förbundsanvändare hör till ett förbund: utelämna --org för rollen {role}."
        ),
    }
    return texts.get(error.code, error.code).format(**error.params)
