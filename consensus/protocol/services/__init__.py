"""Protocol versions of a study (draft, publish, compare).

The pure parts live beside this package: :mod:`..build` makes the document from plain facts,
:mod:`..validate` checks one, :mod:`..canonical` gives its checksum and :mod:`..diffs` compares
two. This package reads the database into those facts (:mod:`.reading`) and keeps the versions
(:mod:`.publishing`); its refusals and their messages are in :mod:`.errors`.

Versions
    A study has at most one draft (``status`` draft, no checksum) and any number of published
    versions. Publishing builds the document from the study as it is now, with the protocol's
    own texts (title, description, owner, licence, ``lockedWording``, changelog) taken from the
    draft, else from the previous version ("a new version starts from the previous one"),
    checks the version number against the previous version (:func:`diffs.check_version_bump`:
    a change that breaks comparability needs a new major version), adds ``publishedAt``,
    ``derivedFrom`` and the SHA-256 checksum, validates the whole document and stores it. A
    published version never changes: :func:`draft` and :func:`publish` refuse to touch it and a
    mapper event refuses any flush that would change its document, checksum or version. Only
    the row's ``status`` column moves from active to retired when a newer version is published
    (the document keeps the status it was published with).

A förbund's imports of published versions live in :mod:`consensus.followup.services`.
"""

from ..models import ProtocolVersion
from .errors import MESSAGES, ProtocolError, ServiceProblem
from .publishing import (
    TEXT_FIELDS,
    all_latest_published,
    diff_versions,
    discard_draft,
    document_bytes,
    draft,
    get_draft,
    get_version,
    latest,
    latest_published,
    preview,
    publish,
    published_version,
    published_versions,
    successor_problems,
    versions,
)
from .reading import readiness, study_facts

__all__ = [
    "MESSAGES",
    "TEXT_FIELDS",
    "ProtocolError",
    "ProtocolVersion",
    "ServiceProblem",
    "all_latest_published",
    "diff_versions",
    "discard_draft",
    "document_bytes",
    "draft",
    "get_draft",
    "get_version",
    "latest",
    "latest_published",
    "preview",
    "publish",
    "published_version",
    "published_versions",
    "readiness",
    "study_facts",
    "successor_problems",
    "versions",
]
