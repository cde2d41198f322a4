"""Authorization that cannot be forgotten: every route declares its access, and is enforced."""

import re

import pytest

from consensus.auth.access import Access, access_of

# Routes that anyone may use. Adding one here is a deliberate decision, reviewed like code.
PUBLIC_ENDPOINTS = {
    "pages.index",
    "pages.accessibility",
    "pages.privacy",
    "pages.set_language",
    "pages.health",
    "auth.login",
    "auth.logout",
    "auth.personal_link",
    "studies.join_code_entry",  # the conference room: a participant types the code
    "studies.join",  # ... or opens the short URL / QR code, and joins pseudonymously
    "studies.join_qr",
    "studies.lost_link",  # "Har du tappat din länk?": the same answer whether the address is known
    # The measures survey: its public start page (workshops, indicators), the open link and a
    # respondent's own link back; the survey pages check their own session (an invited
    # expert's personal link or an open-link respondent's) and answer 403 to anyone else.
    "survey.start",
    "survey.open_start",
    "survey.resume",
    "survey.home",
    "survey.indicator",
    "survey.proposal_edit",
    "survey.proposal_delete",
    "survey.submit",
    "survey.rating",  # checks its own session: invited experts rate the measures
    "survey.rating_autosave",  # the same, one rating at a time (JavaScript)
    "protocol.schema",  # the published protocol is public: its schema,
    "protocol.latest",  # the stable latest address,
    "protocol.version_page",  # each version's page,
    "protocol.download",  # and its files,
    "protocol.compare",  # and the differences between two published versions
    # Follow-up questionnaires: nobody logs in or is identified. The open link (its token
    # stored hashed) starts or resumes a questionnaire; a longitudinal code does the same from
    # the wave's page or from /enkat/kod. The pages check the resume cookie themselves.
    "followup.respond",
    "followup.respond_with_code",
    "followup.code_entry",
    "followup.answer_page",
    "followup.answer_submit",
    "followup.thanks",
    "followup.code_page",
    "followup.code_submit",
    "followup.code_thanks",
}


def _sample_url(rule) -> str:
    url = rule.rule
    for arg, conv in rule._converters.items():
        if type(conv).__name__ == "IntegerConverter":
            value = "1"
        elif type(conv).__name__ == "AnyConverter":
            value = sorted(conv.items)[0]
        else:
            value = "demo"
        url = re.sub(rf"<(?:[^>:]+:)?{arg}>", value, url)
    return url


def test_every_route_declares_access(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_of(app.view_functions[rule.endpoint]) is None
    ]
    assert missing == [], f"routes without an access declaration: {missing}"


def test_public_routes_are_exactly_the_reviewed_list(app):
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and access_of(app.view_functions[rule.endpoint]) == Access("public")
    }
    assert public == PUBLIC_ENDPOINTS


@pytest.mark.demo  # with the demo study in place, the sample URLs (slug "demo") reach real objects
def test_anonymous_requests_to_closed_routes_are_refused(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            ok_redirect = response.status_code == 302 and response.headers["Location"].startswith(
                "/logga-in"
            )
            assert ok_redirect or response.status_code == 403, (
                f"{method} {url} ({rule.endpoint}) answered {response.status_code} to an anonymous"
                " request"
            )
            checked += 1
    assert checked >= 3


def test_undeclared_route_is_refused(app):
    @app.route("/glomt")
    def forgotten():
        return "should never be shown"

    response = app.test_client().get("/glomt")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["forbund"])
def test_staff_routes_refuse_participants_sessions(client, study, role):
    """A panelist's session does not open staff pages."""
    from consensus.auth import services
    from consensus.extensions import db
    from consensus.studies import services as study_services

    p = study_services.add_participant(study, email="p@example.se", group=study.groups[0])
    token = services.issue_link(p)
    db.session.commit()
    client.get(f"/l/{token}")
    response = client.get("/studier")
    assert response.status_code == 302


@pytest.mark.demo  # the demo study (slug "demo") belongs to the demo's projektledare
def test_a_projektledare_gets_404_on_every_page_of_a_study_not_theirs(app, make_user):
    """Every study page, export and POST under /studier/<slug>/ answers 404 to a second
    projektledare who is no member, as if the study did not exist."""
    from tests.conftest import PASSWORD

    make_user(email="pl2@example.se", role="projektledare", member=False)
    client = app.test_client()
    response = client.post("/logga-in", data={"email": "pl2@example.se", "password": PASSWORD})
    assert response.status_code == 302
    assert "demo" not in client.get("/studier").get_data(as_text=True).split("<main")[1]
    checked = 0
    for rule in app.url_map.iter_rules():
        access = access_of(app.view_functions[rule.endpoint]) if rule.endpoint != "static" else None
        if access is None or access.kind != "staff" or "<slug>" not in rule.rule:
            continue
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (
                f"{method} {url} ({rule.endpoint}) answered {response.status_code} to a "
                "projektledare who does not work on the study"
            )
            checked += 1
    assert checked >= 90, checked
    # The demo's own projektledare (its owner) and an admin do open it, and its answers.
    for email, password in [("admin@example.se", PASSWORD), (None, None)]:
        if email is None:
            from consensus.demo import DEMO_ACCOUNTS

            [(email, _, _, password)] = [a for a in DEMO_ACCOUNTS if a[1] == "projektledare"]
        else:
            make_user(email=email, role="admin")
        owner = app.test_client()
        owner.post("/logga-in", data={"email": email, "password": password})
        assert owner.get("/studier/demo").status_code == 200, email
        assert "/studier/demo" in owner.get("/studier").get_data(as_text=True)
