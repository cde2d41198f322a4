"""Staff roles (pure)."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PROJEKTLEDARE = "projektledare"
    FACILITATOR = "facilitator"
    FORBUND = "forbund"


# Roles that work with studies (an admin may do everything).
STUDY_STAFF = (Role.ADMIN, Role.PROJEKTLEDARE, Role.FACILITATOR)
STUDY_LEADERS = (Role.ADMIN, Role.PROJEKTLEDARE)
