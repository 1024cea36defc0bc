"""What the answers add up to: each item's decision and agreement, the disagreements left for a
reviewer, the agreement dashboard, and the export (accepted records with their edits)."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from ftprep.collect.agreement import (
    cohen_kappa,
    fleiss_kappa,
    item_agreement,
    krippendorff_alpha,
    percent_agreement,
)
from ftprep.reviewapp.store import Store


def item_outcomes(store: Store, threshold: float = 0.8) -> list[dict[str, Any]]:
    """Per item: the annotators' decisions, their agreement, the mean score per criterion, and
    the outcome: ``accept``/``reject`` (by agreement or adjudication), ``disagreement`` (for a
    reviewer) or ``pending`` (not every annotator has answered)."""
    answers: dict[int, list[dict[str, Any]]] = {}
    for a in store.answers():
        answers.setdefault(a["item_id"], []).append(a)
    adjudicated = store.adjudications()
    assigned = {i["id"]: 0 for i in store.items()}
    for user in store.users("annotator"):
        for q in store.queue(user["id"]):
            assigned[q["id"]] += 1
    out = []
    for item in store.items():
        mine = answers.get(item["id"], [])
        decisions = [a["decision"] for a in mine if a["decision"]]
        agreement = item_agreement(decisions) if len(decisions) >= 2 else None
        scores: dict[str, list[int]] = {}
        for a in mine:
            for name, value in a["scores"].items():
                scores.setdefault(name, []).append(value)
        outcome = "pending"
        if item["id"] in adjudicated:
            outcome = adjudicated[item["id"]]["decision"]
        elif decisions and len(decisions) >= assigned[item["id"]]:
            top, votes = Counter(decisions).most_common(1)[0]
            unanimous_enough = agreement is None or agreement >= threshold
            outcome = top if unanimous_enough and votes * 2 > len(decisions) else "disagreement"
        out.append(
            {
                "id": item["id"],
                "key": item["key"],
                "decisions": {a["annotator"]: a["decision"] for a in mine},
                "agreement": agreement,
                "scores": {k: round(sum(v) / len(v), 2) for k, v in scores.items()},
                "flags": [a["annotator"] for a in mine if a["flag"]],
                "outcome": outcome,
                "adjudicated": item["id"] in adjudicated,
            }
        )
    return out


def dashboard(store: Store, threshold: float = 0.8) -> dict[str, Any]:
    """Progress per annotator and agreement on decisions and on each criterion."""
    answers = store.answers()
    progress = []
    for user in store.users("annotator"):
        queue = store.queue(user["id"])
        progress.append({"name": user["name"], "done": sum(q["done"] for q in queue),
                         "assigned": len(queue)})  # fmt: skip
    by_item: dict[int, dict[str, dict[str, Any]]] = {}
    for a in answers:
        by_item.setdefault(a["item_id"], {})[a["annotator"]] = a
    decisions = [[a["decision"] for a in by.values() if a["decision"]] for by in by_item.values()]
    decisions = [d for d in decisions if len(d) >= 2]
    out: dict[str, Any] = {"progress": progress, "items_with_two_answers": len(decisions)}
    if decisions:
        out["decision"] = {
            "percent_agreement": round(percent_agreement(decisions), 4),
            "krippendorff_alpha": round(krippendorff_alpha(decisions, "nominal"), 4),
        }
        if len({len(d) for d in decisions}) == 1:
            out["decision"]["fleiss_kappa"] = round(fleiss_kappa(decisions), 4)
        pairs = {}
        names = sorted({n for by in by_item.values() for n in by})
        for one, other in itertools.combinations(names, 2):
            shared = [
                by
                for by in by_item.values()
                if one in by and other in by and by[one]["decision"] and by[other]["decision"]
            ]
            if len(shared) >= 2:
                kappa = cohen_kappa(
                    [s[one]["decision"] for s in shared], [s[other]["decision"] for s in shared]
                )
                pairs[f"{one} ~ {other}"] = {"items": len(shared), "cohen_kappa": round(kappa, 4)}
        out["decision"]["pairs"] = pairs
    criteria = {}
    for name in store.rubric:
        units = [[a["scores"][name] for a in by.values() if name in a["scores"]]
                 for by in by_item.values()]  # fmt: skip
        units = [u for u in units if len(u) >= 2]
        if units:
            criteria[name] = round(krippendorff_alpha(units, "ordinal"), 4)
    out["criteria_alpha"] = criteria
    outcomes = Counter(o["outcome"] for o in item_outcomes(store, threshold))
    out["outcomes"] = dict(outcomes)
    return out


def accepted_record(
    record: dict[str, Any], outcome: dict[str, Any], edits: list[str]
) -> dict[str, Any]:
    """An accepted item's record: the reply edit most of its annotators made (if any) in place
    of the last reply, and ``metadata.review_app``."""
    record = dict(record)
    if edits:
        edit, _ = Counter(edits).most_common(1)[0]
        messages = [dict(m) for m in record.get("messages", [])]
        last = max(
            (i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=None
        )
        if last is not None:
            messages[last]["content"] = edit
            record["messages"] = messages
    record["metadata"] = {
        **record.get("metadata", {}),
        "review_app": {
            "decisions": outcome["decisions"],
            "agreement": outcome["agreement"],
            "scores": outcome["scores"],
            "adjudicated": outcome["adjudicated"],
            "edited": bool(edits),
        },
    }
    return record


def export(
    store: Store, threshold: float = 0.8
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The accepted records (:func:`accepted_record`) and every answer as a row."""
    edits = store.latest_edits()
    items = {i["id"]: i for i in store.items()}
    records = [
        accepted_record(items[o["id"]]["record"], o, edits.get(o["id"], []))
        for o in item_outcomes(store, threshold)
        if o["outcome"] == "accept"
    ]
    ratings = [
        {"key": a["key"], "annotator": a["annotator"], "decision": a["decision"],
         "scores": a["scores"], "flag": bool(a["flag"]), "notes": a["notes"]}
        for a in store.answers()
    ]  # fmt: skip
    return records, ratings
