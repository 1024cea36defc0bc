"""Inter-annotator agreement: how far several people labelling the same items agree.

Items are given as a list of units, each the labels its annotators gave (``None`` for an
annotator who skipped it), or for Cohen's kappa as two aligned lists. Labels are any hashable
values; the ordinal and interval measures need numbers (or an explicit ``order``).

- :func:`percent_agreement`: the share of annotator pairs, within each item, that agree,
  averaged over the items with two labels or more.
- :func:`cohen_kappa`: two annotators, chance-corrected (Cohen 1960), optionally weighted
  (linear or quadratic) for ordered labels.
- :func:`fleiss_kappa`: any fixed number of annotators per item (Fleiss 1971).
- :func:`krippendorff_alpha`: any number of annotators, missing labels allowed, nominal, ordinal
  or interval (Krippendorff 2011, through the coincidence matrix).
- :func:`item_agreement`: one item's agreement, for accepting or adjudicating it.

The tests check each against its textbook example (Cohen's 50 yes/no items: 0.40; Fleiss's 10
subjects by 14 raters: 0.210; Krippendorff's 4 coders by 12 units with gaps: 0.743 nominal,
0.815 ordinal, 0.849 interval).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal

Label = Hashable
Level = Literal["nominal", "ordinal", "interval"]


def _present(unit: Sequence[Label | None]) -> list[Label]:
    return [v for v in unit if v is not None and not (isinstance(v, float) and math.isnan(v))]


def percent_agreement(units: Sequence[Sequence[Label | None]]) -> float:
    """The mean, over items with two labels or more, of the share of label pairs that agree."""
    shares = [_pair_share(labels) for u in units if len(labels := _present(u)) >= 2]
    if not shares:
        raise ValueError("no item has two labels or more")
    return sum(shares) / len(shares)


def _ordered(labels: set[Label]) -> list[Label]:
    """The labels sorted (numbers by value, text alphabetically); mixed kinds need an order."""
    try:
        return sorted(labels, key=_as_is)
    except TypeError:
        raise ValueError("labels of different kinds cannot be ordered: give `order`") from None


def _as_is(label: Label) -> Any:
    return label


def _pair_share(labels: list[Label]) -> float:
    pairs = list(itertools.combinations(labels, 2))
    return sum(a == b for a, b in pairs) / len(pairs)


def cohen_kappa(
    a: Sequence[Label | None],
    b: Sequence[Label | None],
    *,
    weights: Literal["linear", "quadratic"] | None = None,
    order: Sequence[Label] | None = None,
) -> float:
    """Cohen's kappa between two annotators' labels of the same items (items either skipped
    are left out). ``weights`` counts near misses on ordered labels (``order``, else sorted)."""
    if len(a) != len(b):
        raise ValueError(f"the annotators labelled {len(a)} and {len(b)} items, not the same")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if _present([x]) and _present([y])]
    if not pairs:
        raise ValueError("no item labelled by both annotators")
    categories = list(order) if order is not None else _ordered({v for p in pairs for v in p})
    index = {c: i for i, c in enumerate(categories)}
    k, n = len(categories), len(pairs)
    if k == 1:
        return 1.0  # one label used throughout: perfect and trivial agreement

    def weight(i: int, j: int) -> float:  # a disagreement's cost, 0 (same) to 1
        if weights is None:
            return float(i != j)
        d = abs(i - j) / (k - 1)
        return d if weights == "linear" else d * d

    observed = Counter((index[x], index[y]) for x, y in pairs)
    rows = Counter(index[x] for x, _ in pairs)
    cols = Counter(index[y] for _, y in pairs)
    disagreement = sum(weight(i, j) * c for (i, j), c in observed.items()) / n
    expected = sum(weight(i, j) * rows[i] * cols[j] for i in rows for j in cols) / (n * n)
    if expected == 0:
        return 1.0
    return 1 - disagreement / expected


def fleiss_kappa(units: Sequence[Sequence[Label | None]]) -> float:
    """Fleiss' kappa: every item labelled by the same number of annotators (skips not allowed;
    use :func:`krippendorff_alpha` when they are)."""
    rated = [_present(u) for u in units]
    sizes = {len(r) for r in rated}
    if len(sizes) != 1 or min(sizes) < 2:
        raise ValueError(
            "Fleiss' kappa needs the same number (two or more) of labels per item; "
            f"got {sorted(sizes)}: use krippendorff_alpha"
        )
    m = sizes.pop()
    n = len(rated)
    totals: Counter[Label] = Counter()
    agreement = 0.0
    for labels in rated:
        counts = Counter(labels)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
    p_bar = agreement / n
    p_e = sum((t / (n * m)) ** 2 for t in totals.values())
    if p_e == 1:
        return 1.0
    return (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha(
    units: Sequence[Sequence[Label | None]],
    level: Level = "nominal",
    *,
    order: Sequence[Label] | None = None,
) -> float:
    """Krippendorff's alpha over items with any number of labels (items with fewer than two
    are left out). ``ordinal`` ranks labels by ``order`` (else sorted); ``interval`` needs
    numbers."""
    pairable = [labels for u in units if len(labels := _present(u)) >= 2]
    if not pairable:
        raise ValueError("no item has two labels or more")
    values = list(order) if order is not None else _ordered({v for u in pairable for v in u})
    index = {v: i for i, v in enumerate(values)}
    k = len(values)
    coincidence = [[0.0] * k for _ in range(k)]
    for labels in pairable:
        share = 1 / (len(labels) - 1)
        for x, y in itertools.permutations(labels, 2):
            coincidence[index[x]][index[y]] += share
    totals = [sum(row) for row in coincidence]
    n = sum(totals)
    delta = _distance(level, values, totals)
    observed = sum(coincidence[c][j] * delta(c, j) for c in range(k) for j in range(k))
    expected = sum(totals[c] * totals[j] * delta(c, j) for c in range(k) for j in range(k))
    if expected == 0:
        return 1.0
    return 1 - (n - 1) * observed / expected


def _distance(
    level: Level, values: list[Label], totals: list[float]
) -> Callable[[int, int], float]:
    if level == "nominal":
        return lambda c, k: float(c != k)
    if level == "ordinal":
        cumulative = list(itertools.accumulate(totals))

        def ordinal(c: int, k: int) -> float:
            low, high = min(c, k), max(c, k)
            between = cumulative[high] - (cumulative[low - 1] if low else 0.0)
            return (between - (totals[c] + totals[k]) / 2) ** 2

        return ordinal
    if level == "interval":
        numbers = [float(v) for v in values]  # type: ignore[arg-type]
        return lambda c, k: (numbers[c] - numbers[k]) ** 2
    raise ValueError(f"unknown level {level!r}: nominal, ordinal or interval")


def item_agreement(
    labels: Sequence[Label | None],
    level: Level = "nominal",
    scale: tuple[float, float] | None = None,
) -> float | None:
    """One item's agreement, 0 to 1 (None with fewer than two labels): the share of label pairs
    that agree (nominal), or one minus the mean distance between pairs over the scale's span
    (ordinal and interval: 1-5 ratings of 4 and 5 agree 0.75)."""
    present = _present(labels)
    if len(present) < 2:
        return None
    if level == "nominal":
        return _pair_share(present)
    numbers = [float(v) for v in present]  # type: ignore[arg-type]
    low, high = scale if scale is not None else (min(numbers), max(numbers))
    if high == low:
        return 1.0
    pairs = list(itertools.combinations(numbers, 2))
    return 1 - sum(abs(a - b) for a, b in pairs) / len(pairs) / (high - low)
