"""The cookbook's default epochs and billing estimate."""

from __future__ import annotations

import pytest

from ftprep.tokens.cost import (
    MAX_DEFAULT_EPOCHS,
    TrainingEstimate,
    default_epochs,
    estimate_training,
)


@pytest.mark.parametrize(
    ("n_examples", "epochs"),
    [
        (5, 20),  # 5 x 3 < 100: min(25, 100 // 5)
        (100, 3),  # 300 examples seen: the target stands
        (10000, 2),  # 30000 > 25000: max(1, 25000 // 10000)
        (1, MAX_DEFAULT_EPOCHS),  # min(25, 100)
    ],
)
def test_default_epochs(n_examples: int, epochs: int) -> None:
    assert default_epochs(n_examples) == epochs


def test_default_epochs_edges() -> None:
    assert default_epochs(8333) == 3  # 24999 examples seen
    assert default_epochs(8334) == 2  # 25002 > 25000
    assert default_epochs(100_000) == 1  # never below MIN_DEFAULT_EPOCHS
    assert default_epochs(10, target_epochs=5) == 10  # 50 < 100: 100 // 10
    assert default_epochs(0) == 3


def test_estimate_with_price() -> None:
    estimate = estimate_training(100, 1_000_000, price_per_million_tokens=8.0)
    assert estimate == TrainingEstimate(
        n_examples=100,
        billing_tokens_per_epoch=1_000_000,
        epochs=3,
        total_billing_tokens=3_000_000,
        price_per_million=8.0,
        cost=24.0,  # 3_000_000 * 8.0 / 1e6 is exact in binary floating point
    )


def test_estimate_without_price_has_no_cost() -> None:
    estimate = estimate_training(5, 12_345)
    assert estimate.epochs == 20
    assert estimate.total_billing_tokens == 246_900
    assert estimate.cost is None
    assert estimate.price_per_million is None


def test_explicit_epochs() -> None:
    estimate = estimate_training(10000, 500_000, epochs=4, price_per_million_tokens=3.0)
    assert estimate.epochs == 4
    assert estimate.total_billing_tokens == 2_000_000
    assert estimate.cost == pytest.approx(6.0)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimate_training(-1, 10)
    with pytest.raises(ValueError, match="positive"):
        estimate_training(10, 10, epochs=0)
