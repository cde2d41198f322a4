"""Bad or empty input never ends in a server error: every route, every method, as an admin
and as the demo förbund (whose pages are scoped to its organisation) with the demo loaded,
with empty forms and nonsense path values."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from consensus.demo import DEMO_ACCOUNTS

SAMPLES = {"IntegerConverter": ["1", "999999"], "default": ["demo", "x"]}


def _urls(rule):
    options = [rule.rule]
    for arg, conv in rule._converters.items():
        kind = "IntegerConverter" if isinstance(conv, IntegerConverter) else type(conv).__name__
        if kind == "AnyConverter":
            values = sorted(conv.items)
        else:
            values = SAMPLES.get(kind, SAMPLES["default"])
        options = [
            re.sub(rf"<(?:[^>:]+:)?{arg}(?:\([^)]*\))?>", value, url)
            for url in options
            for value in values
        ]
    return options


@pytest.fixture(params=["admin", "forbund"])
def signed_in(request, client):
    email, _role, _name, password = next(a for a in DEMO_ACCOUNTS if a[1] == request.param)
    assert client.post("/logga-in", data={"email": email, "password": password}).status_code == 302
    return client


@pytest.mark.demo
def test_no_route_answers_with_a_server_error(app, signed_in):
    admin = signed_in
    failures = []
    requests = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        for url in _urls(rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = admin.open(url, method=method, data={})
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {url} -> {response.status_code}")
    assert failures == []
    assert requests > 150  # the sweep reached the routes (exceptions would have raised)


# Nonsense that once answered 500 on PostgreSQL: a NUL byte anywhere ("A string literal cannot
# contain NUL"), a number too large for an integer column ("integer out of range").
NUL = "x\x00y"
HUGE = "9" * 20
NONSENSE_FORM = {
    "email": "a\x00@b.se",
    "password": "x",
    "name": NUL,
    f"value-{HUGE}": "5",
}


def _nonsense_urls(rule):
    """The rule with every argument a NUL-containing string, then with every argument a
    twenty-digit number (an ``any`` argument keeps a value it accepts)."""
    urls = []
    for value, quoted in ((NUL, "x%00y"), (HUGE, HUGE)):
        url = rule.rule
        for arg, conv in rule._converters.items():
            kind = type(conv).__name__
            fill = sorted(conv.items)[0] if kind == "AnyConverter" else quoted
            url = re.sub(rf"<(?:[^>:]+:)?{arg}(?:\([^)]*\))?>", fill, url)
        urls.append((value, url))
    return urls


@pytest.fixture(params=["admin", "forbund", "participant", "anonymous"])
def as_someone(request, app, client):
    if request.param == "anonymous":
        return request.param, client
    if request.param == "participant":
        from consensus.auth.access import SESSION_PARTICIPANT
        from consensus.auth.services import issue_link
        from consensus.extensions import db
        from consensus.studies.models import Participant

        with app.app_context():
            p = Participant.query.filter(Participant.consent_at.isnot(None)).first()
            issue_link(p)
            db.session.commit()
            data = {"id": p.id, "link": p.token_hash[:16]}
        with client.session_transaction() as session:
            session[SESSION_PARTICIPANT] = data
        return request.param, client
    email, _role, _name, password = next(a for a in DEMO_ACCOUNTS if a[1] == request.param)
    assert client.post("/logga-in", data={"email": email, "password": password}).status_code == 302
    return request.param, client


@pytest.mark.demo
def test_nonsense_in_urls_and_forms_is_refused_on_every_route(app, as_someone):
    """Every route, GET and POST (where the rule takes them), as staff, a panelist and
    anonymous: a NUL byte in the path, the query or a form field is a 400; a twenty-digit
    number where an id belongs is some 4xx; never a 500."""
    _who, client = as_someone
    failures = []
    requests = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        methods = sorted(rule.methods & {"GET", "POST"})
        plain = re.sub(r"<[^>]+>", "1", rule.rule)
        probes = [(value, url, {}) for value, url in _nonsense_urls(rule) if url != rule.rule]
        probes.append((NUL, plain + "?q=x%00y", {}))
        if "POST" in methods:
            probes.append((NUL, plain, NONSENSE_FORM))
            probes.append((HUGE, plain, {f"value-{HUGE}": "5", "proposals": HUGE}))
        for value, url, form in probes:
            for method in methods:
                if form and method != "POST":
                    continue
                response = client.open(url, method=method, data=form)
                requests += 1
                status = response.status_code
                if status >= 500 or (value == NUL and status != 400):
                    failures.append(f"{method} {url!r} {sorted(form)} -> {status}")
    assert failures == []
    assert requests > 200


def test_the_control_character_page_says_what_in_swedish(client):
    response = client.get("/logga-in?next=%00")
    assert response.status_code == 400
    assert "otillåtna tecken" in response.get_data(as_text=True)
    response = client.post("/logga-in", data={"email": "a\x00@b.se", "password": "x"})
    assert response.status_code == 400


def test_an_id_beyond_a_database_integer_is_a_404(app):
    from werkzeug.routing import Map, Rule

    from consensus.security import IntegerConverter as Bounded

    urls = Map([Rule("/n/<int:n>", endpoint="n")], converters={"int": Bounded})
    adapter = urls.bind("localhost")
    assert adapter.match("/n/2147483647") == ("n", {"n": 2147483647})
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        adapter.match("/n/2147483648")
    with pytest.raises(NotFound):
        adapter.match("/n/" + HUGE)
