"""Epoch and billing estimate for OpenAI fine-tuning, as OpenAI's cookbook notebook computes it.

OpenAI picks a default number of epochs so that a training run sees between
:data:`MIN_TARGET_EXAMPLES` and :data:`MAX_TARGET_EXAMPLES` examples, starting from
:data:`TARGET_EPOCHS`. Billing counts every token of every example, capped at the context limit,
once per epoch. The caller accumulates ``billing_tokens_per_epoch`` as the sum over examples of
``min(context_limit, tokens)``. No price is built in: prices change, so the caller passes one.
"""

from __future__ import annotations

from dataclasses import dataclass

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(n_examples: int, target_epochs: int = TARGET_EPOCHS) -> int:
    """The number of epochs OpenAI would default to for ``n_examples`` training examples."""
    if n_examples <= 0:
        return target_epochs
    n_epochs = target_epochs
    if n_examples * target_epochs < MIN_TARGET_EXAMPLES:
        n_epochs = min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    elif n_examples * target_epochs > MAX_TARGET_EXAMPLES:
        n_epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return n_epochs


@dataclass(frozen=True)
class TrainingEstimate:
    """What a fine-tuning run would be billed: tokens per epoch, epochs, total and cost.

    ``cost`` is ``None`` when no price was given; it is in the currency of the price.
    """

    n_examples: int
    billing_tokens_per_epoch: int
    epochs: int
    total_billing_tokens: int
    price_per_million: float | None
    cost: float | None


def estimate_training(
    n_examples: int,
    billing_tokens_per_epoch: int,
    *,
    epochs: int | None = None,
    price_per_million_tokens: float | None = None,
) -> TrainingEstimate:
    """Estimate a run over ``n_examples`` whose examples bill ``billing_tokens_per_epoch`` tokens.

    ``epochs`` defaults to :func:`default_epochs`; ``price_per_million_tokens`` (training price
    per million tokens) turns the token total into a cost.
    """
    if n_examples < 0 or billing_tokens_per_epoch < 0:
        raise ValueError("n_examples and billing_tokens_per_epoch must not be negative")
    if epochs is not None and epochs <= 0:
        raise ValueError(f"epochs must be positive, got {epochs}")
    n_epochs = default_epochs(n_examples) if epochs is None else epochs
    total = billing_tokens_per_epoch * n_epochs
    cost = None if price_per_million_tokens is None else total * price_per_million_tokens / 1e6
    return TrainingEstimate(
        n_examples=n_examples,
        billing_tokens_per_epoch=billing_tokens_per_epoch,
        epochs=n_epochs,
        total_billing_tokens=total,
        price_per_million=price_per_million_tokens,
        cost=cost,
    )
