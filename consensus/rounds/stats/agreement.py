"""Agreement: Krippendorff's alpha (nominal, ordinal, interval) and Kendall's W with its
chi-square p-value."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import krippendorff
import numpy as np
import pandas as pd

from .frame import RATING_DOMAIN, _rating_counts, _rating_data
from .records import Alpha, KendallW

Level = Literal["nominal", "ordinal", "interval", "ratio"]


def krippendorff_alpha(
    reliability_data: Any = None,
    level: Level = "ordinal",
    value_domain: Sequence[float] = RATING_DOMAIN,
    *,
    value_counts: Any = None,
) -> float | None:
    """Krippendorff's alpha via the ``krippendorff`` package, ``None`` when not computable.

    Pass either ``reliability_data`` (coders x units, NaN = missing) or ``value_counts``
    (units x values, aligned with ``value_domain``). Not computable: no unit with two values,
    a single value in the domain, or no variation at all (0/0).
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            if value_counts is not None:
                result = krippendorff.alpha(
                    value_counts=np.asarray(value_counts),
                    value_domain=list(value_domain),
                    level_of_measurement=level,
                )
            else:
                result = krippendorff.alpha(
                    reliability_data=np.asarray(reliability_data, dtype=np.float64),
                    value_domain=list(value_domain),
                    level_of_measurement=level,
                )
    except ValueError:
        return None
    result = float(result)
    return result if math.isfinite(result) else None


def rating_alpha(votes: pd.DataFrame, indicators: Sequence[str]) -> Alpha:
    """Krippendorff's alpha of a rating round (units = indicators, coders = panelists).

    Computed from the units x values counts, which is the same as the coders x units matrix
    with "kan ej bedöma" and missing ballots as NaN.
    """
    counts, _ = _rating_counts(_rating_data(votes, indicators))
    return _alpha_from_counts(counts)


def _alpha_from_counts(counts: np.ndarray) -> Alpha:
    return Alpha(
        nominal=krippendorff_alpha(level="nominal", value_counts=counts),
        ordinal=krippendorff_alpha(level="ordinal", value_counts=counts),
        interval=krippendorff_alpha(level="interval", value_counts=counts),
    )


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square with ``df`` degrees of freedom (regularized upper gamma).

    Series for x < a + 1, Lentz's continued fraction otherwise (Numerical Recipes 6.2),
    accurate to about 1e-14.
    """
    if df <= 0:
        raise ValueError("df must be positive")
    if x <= 0:
        return 1.0
    a, z = df / 2, x / 2
    log_front = -z + a * math.log(z) - math.lgamma(a)
    if z < a + 1:
        term = total = 1 / a
        denom = a
        for _ in range(10_000):
            denom += 1
            term *= z / denom
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1 - total * math.exp(log_front))
    tiny = 1e-300
    b = z + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return min(1.0, math.exp(log_front) * h)


def kendall_w(rank_sums: Sequence[float], m: int, tie_sum: float = 0.0) -> KendallW:
    """Kendall's W from the items' rank sums R_i, m raters and sum_j T_j (module docstring)."""
    r = np.asarray(rank_sums, dtype=np.float64)
    n = len(r)
    df = max(n - 1, 0)
    denominator = m * m * (n**3 - n) - m * tie_sum
    if m < 2 or n < 2 or denominator <= 0:
        return KendallW(w=None, chi2=None, df=df, p=None, m=m, n=n)
    s = float(((r - m * (n + 1) / 2) ** 2).sum())
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return KendallW(w=w, chi2=chi2, df=df, p=chi2_sf(chi2, df), m=m, n=n)
