"""Two platforms: a förbund on this one shares a closed wave (``consensus followup share``);
the protocol's owner runs on a second, real app process with its own database, and receives
the aggregate report over HTTP on loopback (signed in, the upload form with its CSRF token).
A tampered copy is refused there in Swedish and changes nothing."""

import datetime as dt
import http.client
import json
import subprocess
import sys
import textwrap
import uuid

import pytest

from consensus import create_app
from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.protocol.example import example_protocol
from consensus.protocol.models import ProtocolVersion
from consensus.studies import services as study_services
from tests import databases
from tests.conftest import PASSWORD, make_config, migrate, share_studies
from tests.test_serving import ROOT, Browser, free_port, stop, wait_until_serving

from .test_national import forbund_with_wave

OWNER = "agare@example.se"


def owner_database(tmp_path):
    """The second platform's own database: SQLite beside the test, or a fresh PostgreSQL
    database when the suite runs on PostgreSQL."""
    base = databases.suite_url()
    if base:
        return databases.create_postgres_database(base), base
    return f"sqlite:///{tmp_path / 'owner.sqlite'}", None


def set_up_owner(url: str) -> tuple[str, str]:
    """The owner's platform: a study that published the example protocol, a projektledare."""
    migrate(url)
    app = create_app(make_config(url))
    with app.app_context():
        study = study_services.create_study("nns", "Nationella indikatorer")
        doc = example_protocol()
        db.session.add(
            ProtocolVersion(
                study_id=study.id,
                protocol_id=doc["id"],
                version=doc["version"],
                status="active",
                document=doc,
                checksum=doc["checksum"],
                published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
            )
        )
        auth_services.create_user(OWNER, PASSWORD, "projektledare")
        share_studies()  # the owner's projektledare works on the study
        db.session.commit()
        slug = study.slug
        db.session.remove()
        db.engine.dispose()
    return slug, doc["id"]


SERVER = textwrap.dedent(
    """
    import sys
    from werkzeug.serving import run_simple
    from consensus import create_app
    from tests.conftest import make_config

    url, port = sys.argv[1], int(sys.argv[2])
    app = create_app(make_config(url, WTF_CSRF_ENABLED=True))
    run_simple("127.0.0.1", port, app, threaded=True)
    """
)


def upload(browser: Browser, port: int, path: str, csrf: str, name: str, data: bytes):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
            },
        )
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":  # the flash travels in the session
                key, _, rest = value.partition("=")
                browser.cookies[key] = rest.split(";", 1)[0]
        return response, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture
def owner_platform(tmp_path):
    url, base = owner_database(tmp_path)
    slug, protocol_id = set_up_owner(url)
    port = free_port()
    log = tmp_path / "owner.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, url, str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(process, port, log)
        yield port, slug, protocol_id
    finally:
        stop(process)
        if base:
            databases.drop_postgres_database(base, url)


def test_a_share_crosses_to_the_owners_platform_over_http(app, runner, tmp_path, owner_platform):
    port, slug, protocol_id = owner_platform
    org, wave = forbund_with_wave("testforbund", "Testförbundet")
    # the owner is not on this platform: sharing gives the file, nothing is delivered here
    _report, delivered = services.share_wave(wave, named=True)
    assert delivered is None
    path = tmp_path / "aggregat.json"
    result = runner.invoke(
        args=["followup", "share", org.slug, str(wave.id), "--named", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    report = json.loads(data)
    assert report["sender"]["name"] == "Testförbundet"

    owner = Browser()
    csrf = owner.csrf(port, "/logga-in")
    response, _ = owner.request(
        port, "POST", "/logga-in", {"email": OWNER, "password": PASSWORD, "csrf_token": csrf}
    )
    assert response.status == 302
    page = f"/studier/{slug}/nationellt"

    tampered = data.replace(b'"value":55', b'"value":95')
    assert tampered != data
    response, body = upload(
        owner, port, page + "/importera", owner.csrf(port, page), "aggregat.json", tampered
    )
    assert response.status == 422
    assert "Rapporten togs inte emot" in body
    assert "Kontrollsumman stämmer inte med innehållet" in body
    _, body = owner.request(port, "GET", page)
    assert "Testförbundet" not in body

    response, _ = upload(
        owner, port, page + "/importera", owner.csrf(port, page), "aggregat.json", data
    )
    assert response.status == 302
    _, body = owner.request(port, "GET", page)
    assert "Rapporten från Testförbundet för oktober 2026 är mottagen." in body
    assert "Testförbundet: 55 " in body  # its total of I01-M1, with its n
    response, text = owner.request(port, "GET", f"/studier/{slug}/nationellt.json")
    assert response.status == 200
    rows = json.loads(text)["rows"]
    total = next(r for r in rows if r["measure"] == "I01-M1" and r["breakdown"] == "total")
    assert (total["forbund"], total["median"]) == (1, 55.0)
    assert total["cells"] == [
        {"forbund": "Testförbundet", "named": True, "status": "not_reached", "n": 20, "value": 55.0}
    ]
    assert protocol_id == report["protocol"]["id"]
