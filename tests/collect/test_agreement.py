"""Agreement measures against their textbook examples."""

from __future__ import annotations

import math

import pytest

from ftprep.collect.agreement import (
    cohen_kappa,
    fleiss_kappa,
    item_agreement,
    krippendorff_alpha,
    percent_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units, gaps
CODERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
UNITS = [list(u) for u in zip(*CODERS, strict=True)]

# Fleiss (1971) as Wikipedia works it: 10 subjects, 14 raters, 5 categories (counts per category)
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_krippendorff_alpha_matches_the_worked_example() -> None:
    assert krippendorff_alpha(UNITS, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(UNITS, "ordinal") == pytest.approx(0.815, abs=5e-4)
    assert krippendorff_alpha(UNITS, "interval") == pytest.approx(0.849, abs=5e-4)
    # NaN is a gap too, as numpy exports write it; labels as strings with an order
    as_text = [[None if v is None else "abcde"[v - 1] for v in u] for u in UNITS]
    assert krippendorff_alpha(as_text, "ordinal", order="abcde") == pytest.approx(0.815, abs=5e-4)
    with_nan = [[math.nan if v is None else v for v in u] for u in UNITS]
    assert krippendorff_alpha(with_nan) == pytest.approx(0.743, abs=5e-4)


def test_fleiss_kappa_matches_the_worked_example() -> None:
    units = [[c for c, n in enumerate(row) for _ in range(n)] for row in FLEISS_COUNTS]
    assert fleiss_kappa(units) == pytest.approx(0.210, abs=5e-4)
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa(UNITS)


def test_cohen_kappa_matches_the_worked_example() -> None:
    # 50 proposals read by A and B: both yes 20, A yes B no 5, A no B yes 10, both no 15
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == 1.0
    # weighted, on ordered ratings: a near miss costs less than a far one
    r1, r2, r3 = [1, 2, 3, 4, 5, 3], [1, 2, 3, 4, 4, 3], [1, 2, 3, 4, 1, 3]
    near = cohen_kappa(r1, r2, weights="quadratic")
    far = cohen_kappa(r1, r3, weights="quadratic")
    assert cohen_kappa(r1, r2) == cohen_kappa(r1, r3)  # unweighted: a miss is a miss
    assert near == pytest.approx(16 / 17) and far == pytest.approx(0.2)  # scikit-learn's too
    assert cohen_kappa(r1, r2, weights="linear") == pytest.approx(0.875)
    with pytest.raises(ValueError, match="not the same"):
        cohen_kappa([1], [1, 2])


def test_percent_and_item_agreement() -> None:
    assert percent_agreement([["a", "a", "a"], ["a", "b"], ["a", None]]) == pytest.approx(0.5)
    assert item_agreement(["a", "a", "b"]) == pytest.approx(1 / 3)
    assert item_agreement([4, 5], "ordinal", scale=(1, 5)) == pytest.approx(0.75)
    assert item_agreement([3, None]) is None
