"""Production entry point: ``gunicorn wsgi:app``."""

from consensus import create_app

app = create_app()
