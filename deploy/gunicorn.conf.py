"""gunicorn settings for the app processes (the container's command; usable on any host).

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Read from the environment: WEB_CONCURRENCY (worker processes), GUNICORN_BIND, GUNICORN_TIMEOUT,
GUNICORN_LOG_LEVEL and FORWARDED_ALLOW_IPS. The app configures itself from its own variables
(SECRET_KEY, DATABASE_URL, CONSENSUS_*) in create_app.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: a request is short database work (the vote path is one upsert), and several
# processes behind the proxy give the concurrency (bench/bench_save_load.py).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # closing a large round takes seconds
graceful_timeout = 30
keepalive = 5  # behind the reverse proxy, which keeps connections open

# No access log: the app logs one line per request itself, with a request id and with the
# tokens of personal links redacted (gunicorn's access log would write them and query strings).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Trust X-Forwarded-* only from the reverse proxy. In compose only the proxy reaches the app
# containers; on a host, name the proxy's address. The app's own ProxyFix
# (CONSENSUS_PROXY_FIX_X_FOR / _X_PROTO) decides the client address used for rate limits.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Heartbeat files in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 24+ opens a control socket by default; the container has no use for it.
control_socket_disable = True
