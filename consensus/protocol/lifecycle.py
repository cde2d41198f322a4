"""The states of a protocol version (pure). ``transition`` is the only way a version's status
changes.

draft --publish--> active --retire--> retired

A version is retired when a newer version of the same study is published; the published
document keeps the status it was published with (only the row's column moves).
"""

from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = ["ACTIONS", "IllegalTransition", "Status", "transition"]


class Status(StrEnum):
    DRAFT = "draft"  # the projektledare's draft: rebuilt from the study, no checksum
    ACTIVE = "active"  # the newest published version; its document never changes
    RETIRED = "retired"  # published, then replaced by a newer version


transition = Transitions(
    "protocol version",
    Status,
    {
        (Status.DRAFT, "publish"): Status.ACTIVE,
        (Status.ACTIVE, "retire"): Status.RETIRED,
    },
)

ACTIONS = transition.actions()
