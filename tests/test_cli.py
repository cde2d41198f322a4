import pytest
from sqlalchemy import func, select

from consensus.auth.models import User
from consensus.extensions import db
from consensus.studies.models import Indicator, StakeholderGroup, Study


def test_create_user_from_environment_password(runner, monkeypatch):
    monkeypatch.setenv("CONSENSUS_USER_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "Ny@Example.se", "--role", "facilitator"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ny@example.se"))
    assert user.role == "facilitator"


def test_create_user_prompts_for_password(runner, monkeypatch):
    monkeypatch.delenv("CONSENSUS_USER_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-user", "a@example.se", "--role", "admin"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output


def test_create_user_refuses_short_password_and_duplicates(runner, monkeypatch):
    monkeypatch.setenv("CONSENSUS_USER_PASSWORD", "short")
    result = runner.invoke(args=["create-user", "a@example.se", "--role", "admin"])
    assert result.exit_code != 0
    assert "minst 12 tecken" in result.output
    monkeypatch.setenv("CONSENSUS_USER_PASSWORD", "a long enough password")
    assert runner.invoke(args=["create-user", "a@example.se", "--role", "admin"]).exit_code == 0
    again = runner.invoke(args=["create-user", "A@example.se", "--role", "admin"])
    assert again.exit_code != 0
    assert "finns redan" in again.output


def test_forbund_user_needs_an_existing_organisation(runner, monkeypatch):
    monkeypatch.setenv("CONSENSUS_USER_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "f@example.se", "--role", "forbund", "--org", "nv"])
    assert result.exit_code != 0 and "inget förbund" in result.output
    assert runner.invoke(args=["org", "create", "Norra Västmanland", "--slug", "nv"]).exit_code == 0
    result = runner.invoke(args=["create-user", "f@example.se", "--role", "forbund", "--org", "nv"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["org", "create", "X", "--slug", "Bad Slug"]).exit_code != 0
    result = runner.invoke(
        args=["create-user", "p@example.se", "--role", "projektledare", "--org", "nv"]
    )
    assert result.exit_code != 0
    assert "Ange inget förbund för rollen projektledare" in result.output


def test_demo_on_empty_database_then_idempotent(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "projektledare@demo.invalid" in result.output
    assert "forbund@demo.invalid" in result.output
    assert "/protokoll/demo/senaste" in result.output
    study = db.session.scalar(select(Study).where(Study.slug == "demo"))
    codes = {i.code for i in study.indicators}
    assert {f"P{n:02d}" for n in range(1, 11)} | {f"E{n:02d}" for n in range(1, 6)} <= codes
    perspectives = {i.perspective for i in study.indicators}
    assert perspectives == {"deltagare", "medarbetare", "organisation", "samhälle"}
    assert {i.type for i in study.indicators} == {"process", "effect"}
    assert [g.code for g in study.groups] == [
        "politiker",
        "chefer",
        "medarbetare",
        "deltagare",
        "forskare",
        "brukarorganisationer",
    ]
    panelists = [p for p in study.participants if p.kind == "panelist"]
    assert len(panelists) == 30
    assert {g.code: sum(p.group_id == g.id for p in panelists) for g in study.groups} == {
        g.code: 5 for g in study.groups
    }
    assert all(p.email.endswith("@demo.invalid") for p in panelists)
    assert study.join_code
    from consensus.rounds import services as rounds

    first, second = rounds.rounds(study)
    assert (first.status, second.status, second.is_final) == ("closed", "closed", True)
    assert first.decisions_confirmed_at is not None
    assert second.decisions_confirmed_at is not None
    document = rounds.get_result(first)
    nns = {i["code"]: i for i in document["indicators"] if i["code"][1:].isdigit()}
    assert all(nns[f"P{n:02d}"]["decision"] != "out" for n in range(1, 11))
    assert rounds.response_counts(second)["answered"] == 25
    invented = [i for i in study.indicators if i.source.startswith("Demotext")]
    assert invented and all(i.description == "Demotext." for i in invented)

    count = db.session.scalar(select(func.count(Indicator.id)))
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "redan data" in again.output
    assert db.session.scalar(select(func.count(Indicator.id))) == count
    assert db.session.scalar(select(func.count(StakeholderGroup.id))) == 6


@pytest.mark.demo
def test_demo_logins_work(client):
    from consensus.demo import DEMO_ACCOUNTS

    for email, _role, _name, password in DEMO_ACCOUNTS:
        response = client.post("/logga-in", data={"email": email, "password": password})
        assert response.status_code == 302, email
        assert client.get("/oversikt").status_code == 200
        client.post("/logga-ut")


def test_every_command_is_a_module_level_object_found_by_name(app):
    """Commands are module-level commands and groups (importable, found by their name),
    not closures built inside a register function."""
    import importlib

    ours = {
        name: command
        for name, command in app.cli.commands.items()
        if command.callback is not None and command.callback.__module__.startswith("consensus")
    }
    assert {"study", "indicators", "panel", "round", "ballots", "results", "measures"} <= set(ours)
    assert {"protocol", "create-user", "org", "demo"} <= set(ours)
    for name, command in ours.items():
        module = importlib.import_module(command.callback.__module__)
        assert any(value is command for value in vars(module).values()), name
