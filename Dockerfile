# The app image: gunicorn serving wsgi:app. One image for the app processes, the one-shot
# migration and the scheduled tick (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONSENSUS_INSTANCE_PATH=/app/instance

WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml / constraints.txt).
# constraints.tx[t] copies constraints.txt when the repository has one, and nothing otherwise.
COPY pyproject.toml README.md constraints.tx[t] ./
COPY consensus ./consensus
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py
COPY wsgi.py babel.cfg ./

# Editable install: create_app finds templates/, static/ and migrations/ beside the package.
RUN if [ -f constraints.txt ]; then pip install -c constraints.txt -e . ; else pip install -e . ; fi \
    && pybabel -q compile -d consensus/translations \
    && useradd --system --uid 10001 --no-create-home --home-dir /app consensus \
    && mkdir -p /app/instance && chown consensus /app/instance

USER consensus
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/halsa', timeout=4)"]

CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
