"""The deployment files have the production shape (no container runtime here, so read them):
two app processes of one image behind the proxy, a one-shot migration they wait for, one tick
job, PostgreSQL and Redis, secrets only from the environment, and only names the app reads."""

import re
import runpy
from pathlib import Path

import pytest
import yaml

from consensus import config

ROOT = Path(__file__).resolve().parents[1]
APPS = ("app1", "app2")
# The app reads these by their usual names (config.load); everything else is CONSENSUS_<NAME>.
PLAIN_NAMES = set(
    re.findall(r'os\.environ\.get\("([A-Z_]+)"\)', (ROOT / "consensus/config.py").read_text())
)
# deploy/gunicorn.conf.py reads these.
GUNICORN_NAMES = set(
    re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "deploy/gunicorn.conf.py").read_text())
)
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|DSN|TOKEN", re.I)
INTERPOLATION = re.compile(r"\$\{[A-Z_]+(:?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def app_image_services(services) -> dict:
    image = services["app1"]["image"]
    return {name: s for name, s in services.items() if s.get("image") == image}


def test_two_app_processes_of_one_image_and_one_secret(services):
    first, second = (services[name] for name in APPS)
    assert first["image"] == second["image"] and first["image"].startswith("consensus:")
    assert first["environment"]["SECRET_KEY"] == second["environment"]["SECRET_KEY"]
    assert first["environment"]["DATABASE_URL"] == second["environment"]["DATABASE_URL"]
    assert "command" not in first  # the image's: gunicorn -c deploy/gunicorn.conf.py wsgi:app
    for app in (first, second):
        env = app["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
        )
        assert env["CONSENSUS_RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
        assert int(env["CONSENSUS_PROXY_FIX_X_FOR"]) == 1
        assert app["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_apps_wait_for_one_migration(services):
    migrate = services["migrate"]
    assert migrate["command"] == ["consensus", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in (*APPS, "tick"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        ), name
    assert "upgrade" not in (ROOT / "consensus/__init__.py").read_text()


def test_one_tick_job(services):
    ticks = [name for name, s in services.items() if "round tick" in str(s.get("command", ""))]
    assert ticks == ["tick"]
    assert "while true" in services["tick"]["command"][-1]
    assert "consensus followup purge" in services["tick"]["command"][-1]
    assert "consensus uploads purge" in services["tick"]["command"][-1]
    assert "replicas" not in str(services["tick"].get("deploy", ""))


def test_the_proxy_names_both_apps(services):
    proxy = services["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy/Caddyfile").read_text()
    upstreams = re.search(r"^\s*reverse_proxy ([^{]+)\{", caddyfile, re.M).group(1).split()
    assert upstreams == [f"{name}:8000" for name in APPS]
    assert "health_uri /halsa" in caddyfile
    assert not re.search(r"^\s*log\b", caddyfile, re.M)  # the app logs requests, redacted
    assert set(proxy["depends_on"]) == set(APPS)


def test_postgres_and_redis(services):
    assert services["db"]["image"].startswith("postgres:")
    assert services["db"]["environment"]["POSTGRES_DB"] == "consensus"
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert services["redis"]["image"].startswith("redis:")


def test_no_secret_literal_is_committed(services):
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(key):
                assert INTERPOLATION.fullmatch(str(value)), f"{name}: {key} is a literal"
        url = (service.get("environment") or {}).get("DATABASE_URL")
        if url:
            password = re.match(r"postgresql://[^:]+:([^@]+)@", url).group(1)
            assert INTERPOLATION.fullmatch(password), f"{name}: DATABASE_URL has a password"
    example = (ROOT / "deploy/env.example").read_text()
    assert re.search(r"^SECRET_KEY=$", example, re.M)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.M)
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_every_variable_the_apps_get_is_one_they_read(services):
    settings = {name for name in dir(config.Defaults) if name.isupper()}
    for name, service in app_image_services(services).items():
        for key in service["environment"]:
            if key.startswith("CONSENSUS_"):
                assert key.removeprefix("CONSENSUS_") in settings, f"{name}: {key}"
            else:
                assert key in PLAIN_NAMES | GUNICORN_NAMES, f"{name}: {key}"
    assert {"SECRET_KEY", "DATABASE_URL", "SENTRY_DSN"} <= PLAIN_NAMES


def test_gunicorn_settings():
    settings = runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py"))
    assert settings["accesslog"] is None
    assert settings["forwarded_allow_ips"]
    assert isinstance(settings["workers"], int) and settings["workers"] >= 1
    from gunicorn.config import Config

    known = Config().settings
    for name in settings:
        if not name.startswith("_") and name != "os":
            assert name in known, f"gunicorn has no setting {name}"


def test_dockerfile():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "constraints.txt" in dockerfile and "pybabel -q compile" in dockerfile
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]' in dockerfile
    for sources in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for source in sources.split():
            if "[" not in source:  # constraints.tx[t]: copied only when present
                assert (ROOT / source).exists(), source
