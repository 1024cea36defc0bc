"""The pre-training checklist: each item checked from the run and the data where it can be,
marked "needs a human" where only a person can tell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["pass", "fail", "human"]


@dataclass(frozen=True)
class Item:
    group: str
    item: str
    status: Status
    detail: str


def checklist(
    dataset: dict[str, Any] | None,
    steps: set[str],
    validation_errors: int | None,
) -> list[Item]:
    """The checklist for a dataset (its statistics), the steps its run used, and how many
    validation errors its output has (None: not validated)."""
    items: list[Item] = []

    def add(group: str, item: str, ok: bool | None, detail: str) -> None:
        status: Status = "human" if ok is None else "pass" if ok else "fail"
        items.append(Item(group, item, status, detail))

    # format
    if validation_errors is None:
        add(
            "format",
            "every line is valid for the trainer",
            None,
            "not validated: run ftprep validate",
        )
    else:
        add(
            "format",
            "every line is valid for the trainer",
            validation_errors == 0,
            f"{validation_errors:,} validation errors",
        )
    if dataset is not None:
        tokens = dataset["tokens"]
        add(
            "format",
            "every example fits the context limit",
            tokens["over_limit"] == 0,
            f"{tokens['over_limit']:,} over {tokens['limit']:,} tokens ({tokens['target']})",
        )
    # content
    if dataset is not None:
        unique = dataset["uniqueness"]
        add(
            "content",
            "no duplicate examples",
            unique is None or unique >= 1.0,
            "-" if unique is None else f"{unique:.1%} unique",
        )
    add(
        "content",
        "personal data removed or pseudonymized",
        True if "pii.redact" in steps else None,
        "pii.redact ran" if "pii.redact" in steps else "no pii.redact step: check by hand",
    )
    quality = {"filter.refusal", "filter.error_reply", "filter.placeholder", "filter.truncated"}
    ran = sorted(quality & steps)
    add(
        "content",
        "refusals, error replies, placeholders and cut replies filtered",
        True if ran == sorted(quality) else None,
        ", ".join(ran) if ran else "no quality filter ran: check by hand",
    )
    add(
        "content",
        "replies are correct, helpful and in the intended voice",
        None,
        "only a person can tell: rate the review sample",
    )
    # distribution
    if dataset is not None:
        n = dataset["records"]
        add("distribution", "at least 100 examples", n >= 100, f"{n:,} examples")
        imbalance = dataset["categories"]["imbalance"]
        add(
            "distribution",
            "classes within 10x of each other",
            None if imbalance is None else imbalance <= 10,
            "no classes" if imbalance is None else f"{imbalance:g}x",
        )
        uniq = dataset["input_uniqueness"]
        add(
            "distribution",
            "at least 90% distinct inputs",
            None if uniq is None else uniq >= 0.9,
            "-" if uniq is None else f"{uniq:.1%}",
        )
    add(
        "distribution",
        "the mix matches the traffic the model will serve",
        None,
        "compare the categories and lengths with production by hand",
    )
    # splits
    if dataset is not None:
        splits = dataset["splits"]
        held_out = {"test", "validation", "eval"} & set(splits["counts"])
        add(
            "splits",
            "a held-out evaluation set exists",
            bool(held_out),
            ", ".join(f"{k} {v:,}" for k, v in splits["counts"].items()) or "no splits",
        )
        add(
            "splits",
            "no input in two splits",
            not splits["input_overlap"],
            ", ".join(f"{k} {v:,}" for k, v in splits["input_overlap"].items()) or "none shared",
        )
    return items
