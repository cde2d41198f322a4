"""Who works on which study: the creator owns it, the owner (or an admin) adds staff by email
and removes them; everyone else gets 404 and does not see it in the lists. These tests sign
in with a plain POST: the ``login`` fixture would make everyone a member."""

import pytest
from sqlalchemy import select

from consensus.extensions import db
from consensus.studies.models import StudyMember
from tests.conftest import PASSWORD


def signed_in(app, make_user, email, role="projektledare"):
    make_user(email=email, role=role, member=False)
    client = app.test_client()
    assert client.post("/logga-in", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def create(client, slug="egen"):
    response = client.post(
        "/studier/ny",
        data={
            "slug": slug,
            "title": "Egen studie",
            "scale": "rating_1_9",
            "primary_rule": "comet_70_15",
            "min_group_size": 5,
            "target_core_size": 15,
            "invitation_policy": "all_every_round",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def roles(slug="egen") -> dict[str, str]:
    from consensus.auth.models import User
    from consensus.studies.models import Study

    rows = db.session.execute(
        select(User.email, StudyMember.role)
        .join(StudyMember, StudyMember.user_id == User.id)
        .join(Study, Study.id == StudyMember.study_id)
        .where(Study.slug == slug)
    )
    return dict(rows.all())


def test_the_creator_owns_the_study_and_others_do_not_see_it(app, make_user):
    anna = signed_in(app, make_user, "anna@example.se")
    create(anna)
    assert roles() == {"anna@example.se": "owner"}
    bo = signed_in(app, make_user, "bo@example.se")
    assert "/studier/egen" not in bo.get("/studier").get_data(as_text=True)
    assert "/studier/egen" not in bo.get("/oversikt").get_data(as_text=True)
    assert bo.get("/studier/egen").status_code == 404
    assert bo.get("/studier/egen/svar.csv").status_code == 404
    assert "/studier/egen" in anna.get("/studier").get_data(as_text=True)
    admin = signed_in(app, make_user, "admin@example.se", role="admin")
    assert admin.get("/studier/egen").status_code == 200


def test_the_owner_adds_and_removes_members(app, make_user):
    anna = signed_in(app, make_user, "anna@example.se")
    create(anna)
    bo = signed_in(app, make_user, "bo@example.se")
    fia = signed_in(app, make_user, "fia@example.se", role="facilitator")
    page = anna.get("/studier/egen").get_data(as_text=True)
    assert "Vilka arbetar med studien" in page and 'name="email"' in page

    response = anna.post(
        "/studier/egen/medlemmar", data={"email": " BO@example.se ", "role": "projektledare"}
    )
    assert response.status_code == 302
    assert (
        anna.post(
            "/studier/egen/medlemmar", data={"email": "fia@example.se", "role": "facilitator"}
        ).status_code
        == 302
    )
    assert roles() == {
        "anna@example.se": "owner",
        "bo@example.se": "projektledare",
        "fia@example.se": "facilitator",
    }
    assert bo.get("/studier/egen").status_code == 200
    assert bo.get("/studier/egen/installningar").status_code == 200
    # A facilitator works on the workshop pages, not on the leaders' pages.
    assert fia.get("/studier/egen").status_code == 200
    assert fia.get("/studier/egen/installningar").status_code == 403  # the account's role
    # A member who is not the owner does not manage the members.
    page = bo.get("/studier/egen").get_data(as_text=True)
    assert 'name="email"' not in page
    assert (
        bo.post(
            "/studier/egen/medlemmar", data={"email": "x@example.se", "role": "facilitator"}
        ).status_code
        == 403
    )

    [bo_member] = db.session.scalars(
        select(StudyMember).where(StudyMember.role == "projektledare")
    ).all()
    assert anna.post(f"/studier/egen/medlemmar/{bo_member.id}/ta-bort").status_code == 302
    assert bo.get("/studier/egen").status_code == 404


def test_a_projektledare_in_the_facilitator_role_does_not_lead(app, make_user):
    anna = signed_in(app, make_user, "anna@example.se")
    create(anna)
    bo = signed_in(app, make_user, "bo@example.se")
    anna.post("/studier/egen/medlemmar", data={"email": "bo@example.se", "role": "facilitator"})
    assert bo.get("/studier/egen").status_code == 200
    assert bo.get("/studier/egen/installningar").status_code == 404


def test_refused_members_say_why_and_change_nothing(app, make_user):
    anna = signed_in(app, make_user, "anna@example.se")
    create(anna)
    make_user(email="fia@example.se", role="facilitator", member=False)
    make_user(email="forbund@example.se", role="forbund", member=False)
    cases = [
        ("nobody@example.se", "projektledare", "Det finns inget aktivt personalkonto med"),
        ("fia@example.se", "owner", "har ett facilitatorskonto och kan bara vara facilitator"),
        ("forbund@example.se", "projektledare", "har inte rollen projektledare eller"),
        ("anna@example.se", "projektledare", "anna@example.se arbetar redan med studien."),
        ("inte en adress", "projektledare", "Skriv en giltig e-postadress"),
        ("bo@example.se", "kung", "Välj en av rollerna i listan."),
    ]
    for email, role, message in cases:
        response = anna.post(
            "/studier/egen/medlemmar", data={"email": email, "role": role}, follow_redirects=True
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), (email, role)
    assert roles() == {"anna@example.se": "owner"}
    [owner] = db.session.scalars(select(StudyMember)).all()
    response = anna.post(f"/studier/egen/medlemmar/{owner.id}/ta-bort", follow_redirects=True)
    assert "Studien måste ha minst en ägare." in response.get_data(as_text=True)
    assert roles() == {"anna@example.se": "owner"}
    assert anna.post("/studier/egen/medlemmar/9999/ta-bort").status_code == 302


#: the revision just before the members' migration (``c7d3e9a1f5b2``)
BEFORE_MEMBERS = "c7d4e2a91b35"


def _insert_as_then(model, **values) -> int:
    """Insert a row into ``model``'s table as the database has it now (reflected), filling the
    columns the values leave out with the model's Python defaults; returns the new id."""
    import sqlalchemy as sa

    table = sa.Table(model.__tablename__, sa.MetaData(), autoload_with=db.engine)
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.primary_key:
            continue
        current = model.__table__.columns.get(column.name)
        default = current.default if current is not None else None
        if default is not None and default.is_scalar:
            row[column.name] = default.arg
        elif default is not None and default.is_callable:
            row[column.name] = default.arg(None)
    return db.session.execute(table.insert().values(**row)).inserted_primary_key[0]


def _migrated_members(url: str) -> dict[str, set[tuple[str, str]]]:
    """Upgrade to the revision before the members, make two studies (one with its creator,
    one with none), upgrade: who became a member of which."""
    from flask_migrate import upgrade

    from consensus import create_app
    from consensus.auth.models import User
    from consensus.studies.models import Study
    from tests.conftest import make_config

    app = create_app(make_config(url))
    with app.app_context():
        upgrade(revision=BEFORE_MEMBERS)
        # Rows written through the tables as they were then (the models have moved on).
        users = {
            email: _insert_as_then(User, email=email, password_hash="x", role=role)
            for email, role in [
                ("anna@example.se", "projektledare"),
                ("bo@example.se", "projektledare"),
                ("fia@example.se", "facilitator"),
                ("admin@example.se", "admin"),
            ]
        }
        _insert_as_then(Study, slug="annas", title="A", created_by_id=users["anna@example.se"])
        _insert_as_then(Study, slug="ingens", title="B", created_by_id=None)
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            select(Study.slug, User.email, StudyMember.role)
            .join(StudyMember, StudyMember.study_id == Study.id)
            .join(User, User.id == StudyMember.user_id)
        ).all()
        db.session.remove()
        db.engine.dispose()
    found: dict[str, set[tuple[str, str]]] = {}
    for slug, email, role in rows:
        found.setdefault(slug, set()).add((email, role))
    return found


EXPECTED_MIGRATED = {
    "annas": {("anna@example.se", "owner")},
    "ingens": {("anna@example.se", "projektledare"), ("bo@example.se", "projektledare")},
}


def test_the_migration_gives_existing_studies_their_members(tmp_path):
    assert _migrated_members(f"sqlite:///{tmp_path / 'old.sqlite'}") == EXPECTED_MIGRATED


@pytest.mark.postgres
def test_the_migration_gives_existing_studies_their_members_on_postgresql():
    from tests import databases

    base = databases.require_postgres()
    with databases.fresh_postgres_database(base) as url:
        assert _migrated_members(url) == EXPECTED_MIGRATED
