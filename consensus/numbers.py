"""Numbers typed by people or sent in URLs and forms (pure): ASCII digits within the range a
database integer column holds, or nothing. ``str.isdigit`` alone accepts ``²`` and
twenty-digit numbers, which end in a ``ValueError`` or PostgreSQL's "integer out of range"."""

# PostgreSQL's ``integer`` (and SQLite's ids in practice): the largest id a route or form names.
MAX_ID = 2**31 - 1


def parse_id(text: str | None, *, maximum: int = MAX_ID) -> int | None:
    """``text`` as a non-negative integer of at most ``maximum``, else None."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None
