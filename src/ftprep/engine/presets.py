"""Ready-made step lists behind the one-shot commands (``ftprep clean``, ``ftprep pii``).

A preset is plain recipe data, so ``ftprep clean --print-recipe`` can hand the user a recipe to
edit and run with ``ftprep run``.
"""

from __future__ import annotations

from typing import Any

#: the groups of the cleaning preset, in order; each can be switched off
CLEAN_GROUPS: dict[str, list[Any]] = {
    "normalize": ["normalize.unicode", "normalize.whitespace"],
    "filters": [
        "filter.valid",
        {"filter.length": {"roles": ["user", "assistant"], "min": 1, "max": 20000}},
        "filter.placeholder",
        "filter.refusal",
        "filter.error_reply",
        "filter.unseen_context",
        "filter.repetition",
        "filter.truncated",
    ],
    # before PII: duplicates are found on the original text, and PII work is not spent on them
    "dedup": ["dedup.exact"],
    "pii": [{"pii.redact": {"mode": "redact"}}],
}


def clean_steps(skip_groups: set[str], skip_steps: set[str]) -> list[Any]:
    """The cleaning preset's steps without the switched-off groups and steps."""
    out = []
    for group, steps in CLEAN_GROUPS.items():
        if group in skip_groups:
            continue
        for step in steps:
            step_id = step if isinstance(step, str) else next(iter(step))
            if step_id not in skip_steps:
                out.append(step)
    return out


def one_shot_recipe(
    src: str,
    dst: str,
    steps: list[Any],
    *,
    fmt: str | None = None,
    to: str = "openai",
    workers: int | str = "auto",
    chunk_size: int = 2000,
    on_error: str = "reject",
) -> dict[str, Any]:
    """Recipe data for ``IN -> steps -> OUT``."""
    return {
        "version": 1,
        "inputs": [{"path": src, "format": fmt}],
        "outputs": [{"path": dst, "format": to}],
        "options": {"workers": workers, "chunk_size": chunk_size, "on_error": on_error},
        "steps": steps,
    }
