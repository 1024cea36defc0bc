"""Context limits of the fine-tuning targets ftprep writes for.

An example longer than its target's limit is truncated (or dropped) by the trainer, so the
reports flag it. The limits, in tokens of one training example:

- ``openai`` — 65536: the per-example training context of OpenAI's current fine-tunable models
  (gpt-4o-mini, gpt-4o, gpt-4.1 and its mini/nano). OpenAI's cookbook notebook *Data preparation
  and analysis for chat model fine-tuning* used 16385, the limit of gpt-3.5-turbo, which it
  targeted; pass ``override`` for such an older model.
- ``axolotl`` — 2048: the default of Axolotl's ``sequence_len``.
- ``llama-factory`` — 2048: the default of LLaMA-Factory's ``cutoff_len``.
- ``trl`` — 1024: the default of TRL's ``SFTConfig.max_length``.

The open-source trainers' figures are defaults, not model limits: a config that raises them
should be matched with ``override``.
"""

from __future__ import annotations

from ftprep.errors import FtprepError

#: Tokens one training example may hold, per target (see the module docstring).
CONTEXT_LIMITS: dict[str, int] = {
    "openai": 65536,
    "axolotl": 2048,
    "llama-factory": 2048,
    "trl": 1024,
}
#: The target assumed when none is named: the OpenAI chat format is ftprep's canonical record.
DEFAULT_TARGET = "openai"
#: The cookbook notebook's limit, for gpt-3.5-turbo fine-tuning.
GPT_35_TURBO_LIMIT = 16385

_ALIASES = {"llamafactory": "llama-factory", "llama_factory": "llama-factory"}


class UnknownTargetError(FtprepError, ValueError):
    """A fine-tuning target ftprep has no context limit for, or an invalid override."""


def context_limit(target: str | None, override: int | None = None) -> int:
    """The context limit for ``target`` (``None`` means :data:`DEFAULT_TARGET`).

    ``override``, when given, wins; it must be a positive number of tokens.
    """
    if override is not None:
        if override <= 0:
            raise UnknownTargetError(f"context limit override must be positive, got {override}")
        return override
    key = (target or DEFAULT_TARGET).strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return CONTEXT_LIMITS[key]
    except KeyError:
        raise UnknownTargetError(
            f"unknown fine-tuning target {target!r}: expected one of {', '.join(CONTEXT_LIMITS)}"
        ) from None
