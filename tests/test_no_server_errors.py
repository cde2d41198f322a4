"""Bad or empty input never ends in a server error: every route, every method, as an admin
and as the demo förbund (whose pages are scoped to its organisation) with the demo loaded,
with empty forms and nonsense path values."""

import re

import pytest

from consensus.demo import DEMO_ACCOUNTS

SAMPLES = {"IntegerConverter": ["1", "999999"], "default": ["demo", "x"]}


def _urls(rule):
    options = [rule.rule]
    for arg, conv in rule._converters.items():
        kind = type(conv).__name__
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
