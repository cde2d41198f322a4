"""The protocols a förbund has imported, and its own questions.

``ImportedProtocol``: a published protocol version a förbund imported (every imported version
is kept; its document is never edited). ``LocalItem``: a förbund's own supplementary question,
always marked local.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db


class ImportedProtocol(db.Model):
    __tablename__ = "imported_protocol"
    __table_args__ = (UniqueConstraint("organisation_id", "protocol_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    protocol_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(71))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(Text, default="")

    local_items: Mapped[list["LocalItem"]] = relationship(
        back_populates="imported", order_by="LocalItem.id", cascade="all, delete-orphan"
    )


class LocalItem(db.Model):
    """A förbund's own question added to an imported protocol (never part of the protocol)."""

    __tablename__ = "local_item"
    __table_args__ = (UniqueConstraint("imported_protocol_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_protocol_id: Mapped[int] = mapped_column(
        ForeignKey("imported_protocol.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    #: an item type of the protocol format (text, choice, integer ...)
    item_type: Mapped[str] = mapped_column(String(20), default="text", server_default="text")
    #: the protocol indicator (its id in the document) this item supplements, if any
    indicator: Mapped[str | None] = mapped_column(String(64))
    local: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported: Mapped[ImportedProtocol] = relationship(back_populates="local_items")
