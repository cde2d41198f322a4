"""Duplicate suggestions among the proposals of one indicator (pure; standard library + numpy).

Two proposals are *suggested* as possible duplicates when their texts are similar; the
review decides, nothing is ever merged automatically. Every suggestion says why: its score,
the text score, the words the two share and the structured fields they agree on.

Text similarity
    Each proposal's name (counted twice) and description are normalised for Swedish:
    NFC + casefold, punctuation removed, number words (sex, tolv, arton ...) written as digits,
    a few abbreviations expanded (mån -> månad), a small stop-word list dropped, and a simple
    suffix stemmer applied (deltagarnas, deltagare -> deltag; upplevda, upplever -> upplev).
    Features are the stems plus the character 4-grams of each stem (so that "enkätfråga"
    meets "enkät"). Both feature sets are TF-IDF weighted within the indicator (smooth idf,
    sublinear tf), L2-normalised, and the text score is the mean of the two cosines.

    Vectorised: a feature found in only one proposal adds to its norm but to no dot product,
    so the matrices keep only shared features, and all pairs are one matrix product.

Structured agreement
    ``method``, ``data_source`` (normalised text) and ``unit`` equal and not empty. It raises
    the score a little (``FIELD_WEIGHT`` per field) but never makes a suggestion on its own:
    the text score must reach ``TEXT_MIN``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

TEXT_MIN: Final = 0.30  # text score needed for a suggestion
THRESHOLD: Final = 0.35  # final score needed for a suggestion
FIELD_WEIGHT: Final = 0.05  # added per agreeing structured field
STRUCTURED_FIELDS: Final = ("method", "data_source", "unit")
NGRAM: Final = 4
PER_PROPOSAL: Final = 5  # at most this many best partners suggested per proposal

STOP_WORDS: Final = frozenset(
    """
    och i att det som en ett på är av för med till den de om så har inte vid var eller från
    efter under sin sitt sina där man när hur vad vilka vilken vilket mot per ska kan skall
    bli blir blev har hade varit vara genom samt även också dessa denna detta deras dess
    alla andra annan annat många mer mest mycket några något någon inom utan mellan över
    ex t.ex till exempel eg etc
    """.split()
)
NUMBER_WORDS: Final = {
    "noll": "0",
    "en": "1",
    "ett": "1",
    "två": "2",
    "tre": "3",
    "fyra": "4",
    "fem": "5",
    "sex": "6",
    "sju": "7",
    "åtta": "8",
    "nio": "9",
    "tio": "10",
    "tolv": "12",
    "arton": "18",
    "tjugofyra": "24",
}
ABBREVIATIONS: Final = {
    "mån": "månad",
    "mån.": "månad",
    "mnd": "månad",
    "proc": "procent",
    "st": "antal",
    "%": "procent",
    "fk": "försäkringskassan",
    "af": "arbetsförmedlingen",
}
# Longest first; a stem keeps at least MIN_STEM characters.
SUFFIXES: Final = tuple(
    sorted(
        """
        arnas ernas ornas arens erens andes endes heten heter arna erna orna ande ende
        ades are ares het ens ets ade ast na ns en et ar er or da de a e s
        """.split(),
        key=len,
        reverse=True,
    )
)
MIN_STEM: Final = 4

_TOKEN_RE = re.compile(r"[^\W_]+|%", re.UNICODE)


def stem(word: str) -> str:
    """A crude Swedish stem: the longest listed suffix off, keeping ``MIN_STEM`` characters."""
    if word.isdigit():
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def _stems_and_words(text: str) -> list[tuple[str, str]]:
    """Each kept word of ``text`` as (its stem, the word as a person reads it: abbreviations
    written out)."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    out = []
    for raw in _TOKEN_RE.findall(text):
        written = ABBREVIATIONS.get(raw, raw)
        word = NUMBER_WORDS.get(written, written)
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        out.append((stem(word), written))
    return out


def tokens(text: str) -> list[str]:
    """Normalised stems of ``text`` (stop words dropped, number words as digits)."""
    return [s for s, _ in _stems_and_words(text)]


def _ngrams(words: Iterable[str]) -> list[str]:
    grams: list[str] = []
    for word in words:
        if word.isdigit():
            continue
        padded = f"<{word}>"
        grams.extend(padded[i : i + NGRAM] for i in range(len(padded) - NGRAM + 1))
    return grams


def _norm_field(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).casefold()
    return " ".join(_TOKEN_RE.findall(text))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Two proposals that may be duplicates, and why."""

    first: Any  # the proposal ids as given, the lower position first
    second: Any
    score: float
    text_score: float
    shared_words: tuple[str, ...]  # as written in the first proposal, not as stems
    shared_fields: tuple[str, ...]


def _tfidf_cosines(docs: Sequence[Counter]) -> np.ndarray:
    """The n x n cosine matrix of sublinear-tf, smooth-idf TF-IDF vectors (shared features only)."""
    n = len(docs)
    df: Counter = Counter()
    for doc in docs:
        df.update(doc.keys())
    shared = {f: i for i, f in enumerate(f for f, c in df.items() if c >= 2)}
    idf = {f: math.log((1 + n) / (1 + c)) + 1.0 for f, c in df.items()}
    matrix = np.zeros((n, len(shared)), dtype=np.float32)
    norms = np.zeros(n, dtype=np.float64)
    for row, doc in enumerate(docs):
        total = 0.0
        for feature, count in doc.items():
            weight = (1.0 + math.log(count)) * idf[feature]
            total += weight * weight
            column = shared.get(feature)
            if column is not None:
                matrix[row, column] = weight
        norms[row] = math.sqrt(total)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None].astype(np.float32)
    return matrix @ matrix.T


def suggest_duplicates(
    proposals: Sequence[Mapping[str, Any]],
    *,
    threshold: float = THRESHOLD,
    text_min: float = TEXT_MIN,
    per_proposal: int = PER_PROPOSAL,
) -> list[Suggestion]:
    """Suggested duplicates among the proposals of ONE indicator, best first.

    Each proposal is a mapping with ``id``, ``name``, ``description`` and optionally
    ``method``, ``data_source`` and ``unit``. Each proposal gets at most ``per_proposal``
    partners (its best-scoring ones).
    """
    n = len(proposals)
    if n < 2:
        return []
    pairs_of = [
        _stems_and_words(
            f"{p.get('name') or ''} {p.get('name') or ''} {p.get('description') or ''}"
        )
        for p in proposals
    ]
    words = [[s for s, _ in pairs] for pairs in pairs_of]
    # The words shown to people: the first word behind each stem, not the stem ("deltag").
    readable = [{s: w for s, w in reversed(pairs)} for pairs in pairs_of]
    word_cos = _tfidf_cosines([Counter(w) for w in words])
    gram_cos = _tfidf_cosines([Counter(_ngrams(w)) for w in words])
    text = (word_cos + gram_cos) / 2.0

    agree = np.zeros((n, n), dtype=np.float32)
    field_hits: dict[str, np.ndarray] = {}
    for name in STRUCTURED_FIELDS:
        values = [_norm_field(p.get(name)) for p in proposals]
        codes = {v: i for i, v in enumerate(sorted(set(values)))}
        column = np.array([codes[v] for v in values])
        empty = np.array([not v for v in values])
        same = (column[:, None] == column[None, :]) & ~empty[:, None] & ~empty[None, :]
        field_hits[name] = same
        agree += same
    score = np.minimum(text + FIELD_WEIGHT * agree, 1.0)

    qualified = (text >= text_min) & (score >= threshold)
    np.fill_diagonal(qualified, False)
    ranked = np.where(qualified, score, -1.0)
    k = min(per_proposal, n - 1)
    # Each proposal's k best partners (a review shows a few, never thousands of pairs).
    best = np.argpartition(-ranked, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    cols = best.ravel()
    keep = ranked[rows, cols] >= 0
    pairs = np.unique(np.sort(np.stack([rows[keep], cols[keep]], axis=1), axis=1), axis=0)
    hits = pairs if len(pairs) else np.empty((0, 2), dtype=int)
    out = []
    for i, j in hits.tolist():
        shared = sorted({readable[i][s] for s in set(words[i]) & set(words[j])})
        fields = tuple(name for name in STRUCTURED_FIELDS if field_hits[name][i, j])
        out.append(
            Suggestion(
                first=proposals[i]["id"],
                second=proposals[j]["id"],
                score=round(float(score[i, j]), 3),
                text_score=round(float(text[i, j]), 3),
                shared_words=tuple(shared),
                shared_fields=fields,
            )
        )
    out.sort(key=lambda s: (-s.score, str(s.first), str(s.second)))
    return out


def suggest_by_indicator(
    proposals: Iterable[Mapping[str, Any]], **kwargs: Any
) -> dict[Any, list[Suggestion]]:
    """:func:`suggest_duplicates` within each ``indicator`` of ``proposals`` (never across)."""
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for proposal in proposals:
        groups.setdefault(proposal["indicator"], []).append(proposal)
    return {key: suggest_duplicates(group, **kwargs) for key, group in groups.items()}


def groups_of(suggestions: Iterable[Suggestion]) -> list[list[Any]]:
    """Connected groups of suggested duplicates (for showing them together), largest first."""
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in suggestions:
        parent[find(s.first)] = find(s.second)
    clusters: dict[Any, list[Any]] = {}
    for member in list(parent):
        clusters.setdefault(find(member), []).append(member)
    return sorted((sorted(c, key=str) for c in clusters.values()), key=lambda c: (-len(c), str(c)))
