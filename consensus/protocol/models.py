"""Published protocol versions of a study.

``ProtocolVersion``: one version of a study's measurable protocol (``draft`` while the
projektledare edits it; ``active`` once published, then ``retired`` when a newer version is
published). A published version's document and checksum never change: ``services`` refuses
edits. The protocols a förbund has imported live in :mod:`consensus.followup.models`.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from .lifecycle import Status

STATUSES = tuple(s.value for s in Status)


class ProtocolVersion(db.Model):
    __tablename__ = "protocol_version"
    __table_args__ = (
        UniqueConstraint("study_id", "version"),
        CheckConstraint("status IN ('draft', 'active', 'retired')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    protocol_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    document: Mapped[dict] = mapped_column(JSON)
    checksum: Mapped[str | None] = mapped_column(String(71))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    @property
    def published(self) -> bool:
        return self.published_at is not None
