"""The measures survey's pages: the staff blueprint ``measures`` (setup, experts, review,
exports, the rating) and the respondents' blueprint ``survey``.

Importing the modules registers their routes on the blueprints.
"""

from . import codelists, experts, exports, manage, rating, review  # noqa: F401  (register the routes)
from .common import bp
from .survey import bp as survey_bp

__all__ = ["bp", "survey_bp"]
