"""Every download (CSV, XLSX, JSON of answers, results, plans and protocols) is never cached
and names one charset: found by walking the URL map, so a new download route is covered."""

import re
from itertools import product

import pytest
from werkzeug.routing import IntegerConverter

from consensus.demo import DEMO_ACCOUNTS, DEMO_PROTOCOL_VERSION, DEMO_SLUG

FORMATS = ("csv", "xlsx", "json")
VALUES = {
    "IntegerConverter": ["1", "2", "3"],
    "slug": [DEMO_SLUG],
    "protocol_id": [DEMO_SLUG],
    "version": [DEMO_PROTOCOL_VERSION],
}


def _download_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and any(f in rule.rule for f in FORMATS):
            yield rule


def _urls(rule):
    choices = []
    for arg, conv in rule._converters.items():
        kind = "IntegerConverter" if isinstance(conv, IntegerConverter) else type(conv).__name__
        if kind == "AnyConverter":
            values = sorted(conv.items)
        else:
            values = VALUES.get(kind) or VALUES.get(arg) or [DEMO_SLUG]
        choices.append([(arg, v) for v in values])
    for combination in product(*choices):
        url = rule.rule
        for arg, value in combination:
            url = re.sub(rf"<(?:[^>:]+:)?{arg}(?:\([^)]*\))?>", value, url)
        yield url


def _sign_in(client, role):
    email, _role, _name, password = next(a for a in DEMO_ACCOUNTS if a[1] == role)
    assert client.post("/logga-in", data={"email": email, "password": password}).status_code == 302


@pytest.mark.demo
def test_every_download_is_not_stored_and_names_one_charset(app):
    reached: dict[str, set[str]] = {}
    failures = []
    for role in ("admin", "forbund"):
        client = app.test_client()
        _sign_in(client, role)
        for rule in _download_rules(app):
            for url in _urls(rule):
                response = client.get(url)
                if response.status_code != 200:
                    continue
                reached.setdefault(rule.rule, set()).add(response.mimetype)
                content_type = response.headers["Content-Type"]
                if response.headers.get("Cache-Control") != "no-store":
                    failures.append(f"{url}: Cache-Control {response.headers.get('Cache-Control')}")
                if content_type.lower().count("charset") > 1:
                    failures.append(f"{url}: Content-Type {content_type}")
    assert failures == []
    rules = {rule.rule for rule in _download_rules(app)}
    assert rules - set(reached) == set()  # every download route answered at least once
    kinds = set().union(*reached.values())
    assert {"text/csv", "application/json"} <= kinds
    assert any("spreadsheetml" in kind for kind in kinds)
