"""Reading the experts' posted ratings of measures (pure)."""

from collections.abc import Iterable, Mapping

from ..numbers import parse_id

DIMENSIONS = ("relevance", "feasibility")


def read_ratings(
    form: Mapping[str, str], measure_ids: Iterable[int]
) -> tuple[list[tuple[int, str, int | str | None]], dict[tuple[int, str], str]]:
    """Fields ``rate-<measure id>-<dimension>``: "1".."9", "unable" or "" (clears).

    Returns the entries ``(measure id, dimension, value)`` and the problems by key. A field
    that is absent is left as stored.
    """
    entries: list[tuple[int, str, int | str | None]] = []
    problems: dict[tuple[int, str], str] = {}
    for mid in measure_ids:
        for dimension in DIMENSIONS:
            key = f"rate-{mid}-{dimension}"
            if key not in form:
                continue
            raw = (form.get(key) or "").strip()
            if raw == "":
                entries.append((mid, dimension, None))
            elif raw == "unable":
                entries.append((mid, dimension, "unable"))
            elif (rating := parse_id(raw, maximum=9)) is not None and rating >= 1:
                entries.append((mid, dimension, rating))
            else:
                problems[(mid, dimension)] = "invalid_value"
    return entries, problems
