"""consensus: Delphi consensus on indicators, measures and protocols for samordningsförbund."""

import os

from flask import Flask

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def instance_path() -> str:
    """``instance/`` beside the package, unless ``CONSENSUS_INSTANCE_PATH`` names another."""
    return os.environ.get("CONSENSUS_INSTANCE_PATH") or os.path.join(_ROOT, "instance")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config, logging, extensions, blueprints, errors, cli. Nothing else."""
    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=os.path.join(_ROOT, "templates"),
        static_folder=os.path.join(_ROOT, "static"),
    )
    from . import config

    config.load(app, test_config)

    from .logs import configure_logging

    configure_logging(app)

    from . import errors, i18n, security
    from .auth import access
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(_ROOT, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    errors.init_app(app)

    from .auth.views import bp as auth_bp
    from .followup import models as followup_models  # noqa: F401  (complete the metadata)
    from .followup.views import bp as followup_bp
    from .followup.views.national import owner_bp as national_bp
    from .measures import models as measures_models  # noqa: F401  (complete the metadata)
    from .measures.views import bp as measures_bp
    from .measures.views import survey_bp
    from .pages.views import bp as pages_bp
    from .protocol import models as protocol_models  # noqa: F401  (complete the metadata)
    from .protocol.manage_views import bp as protocol_admin_bp
    from .protocol.views import bp as protocol_bp
    from .rounds import models as rounds_models  # noqa: F401  (complete the metadata)
    from .rounds.views import bp as rounds_bp
    from .studies.views import bp as studies_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(studies_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(survey_bp)
    app.register_blueprint(protocol_bp)
    app.register_blueprint(protocol_admin_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(national_bp)

    from .measures import hooks as measures_hooks
    from .protocol import hooks as protocol_hooks
    from .rounds import hooks as rounds_hooks
    from .studies import hooks as studies_hooks

    studies_hooks.init_app(app)  # auth finds participants through studies
    rounds_hooks.init_app(app)  # rounds fills the studies hooks (rule names, participant home)
    measures_hooks.init_app(app)  # measures adds its due work to study pages
    protocol_hooks.init_app(app)  # protocol adds its versions to the study overview

    from .cli import register

    register(app)
    return app
