"""Annotation exports with several annotators per item: agreement, resolution, adjudication.

An export has one row per item and annotator (CSV or JSONL, as Label Studio, Argilla or a
spreadsheet writes it): the item's id, the annotator, their ``label`` (a class or a 1-5 rating)
and optionally their edited ``reply``; the item's conversation comes from its first row
(``messages``, or ``prompt`` and ``response``).

For each item, agreement is measured over its annotators (:func:`~ftprep.collect.agreement.
item_agreement`: the share of agreeing pairs for classes; one minus the mean distance over the
scale for ratings). An item at or above ``threshold`` (0.8) is resolved (the majority label, or
the median rating) and written as a record with ``metadata.annotation``; an edited reply most of
its annotators gave replaces the last assistant turn. An item below it, with no majority or with
too few annotators is not written: its rows go to the rejects, and the item, with every
annotator's answer side by side, to the adjudication file. The whole export's agreement (percent
agreement, Krippendorff's alpha, Fleiss' kappa when every item has as many annotators, Cohen's
kappa for each pair of annotators, and each annotator's agreement with the resolved labels) goes
to the run's stats. The export is held in memory: exports are thousands of rows, not millions.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any, BinaryIO, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ftprep.collect.accounting import CollectStats, reject_line
from ftprep.collect.agreement import (
    Level,
    cohen_kappa,
    fleiss_kappa,
    item_agreement,
    krippendorff_alpha,
    percent_agreement,
)
from ftprep.collect.spec import DEFAULT_ROLES
from ftprep.io import RawRow


class AnnotationSpec(BaseModel):
    """An annotation export: its fields, the label's level, and when an item is accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="The export (JSONL, CSV...), relative to the recipe.")
    container: str | None = Field(None, description="jsonl, csv... (default: detected).")
    item: str = Field("item_id", description="Field of the item's id.")
    annotator: str = Field("annotator", description="Field of the annotator's id.")
    label: str | None = Field("label", description="Field of the label or rating.")
    reply: str | None = Field(None, description="Field of an annotator's edited reply.")
    messages: str | None = Field(None, description="Field of the item's messages.")
    prompt: str | None = Field(None, description="Field of the item's user text.")
    response: str | None = Field(None, description="Field of the item's reply.")
    level: Level = Field("nominal", description="nominal (classes), ordinal or interval (ratings).")
    scale: tuple[float, float] | None = Field(
        None, description="A rating scale's ends, e.g. [1, 5] (default: the labels' range)."
    )
    threshold: float = Field(0.8, ge=0, le=1, description="Item agreement needed to accept it.")
    resolve: Literal["majority", "median"] | None = Field(
        None, description="majority (default for nominal) or median (default for ratings)."
    )
    min_annotators: int = Field(2, ge=1, description="Annotators an item needs.")
    adjudicate: str | None = Field(
        None, description="Where to write the items left for adjudication (JSONL)."
    )

    @model_validator(mode="after")
    def _content(self) -> AnnotationSpec:
        if self.messages is None and (self.prompt is None or self.response is None):
            raise ValueError("name the item's `messages`, or its `prompt` and `response`")
        if self.label is None and self.reply is None:
            raise ValueError("name a `label` or a `reply` field: there is nothing to agree on")
        if self.resolve == "median" and self.level == "nominal":
            raise ValueError("the median needs ordered labels: level ordinal or interval")
        return self

    @property
    def resolution(self) -> str:
        return self.resolve or ("majority" if self.level == "nominal" else "median")


class AnnotationCollector:
    """Turns an export's rows into resolved records, rejects and adjudication items."""

    step = "collect.annotations"

    def __init__(self, spec: AnnotationSpec, name: str) -> None:
        self.spec = spec
        self.name = name
        self.stats = CollectStats(name)

    def collect(
        self, rows: Iterable[RawRow], out: BinaryIO, rejects: BinaryIO, adjudicate: BinaryIO | None
    ) -> CollectStats:
        started = time.perf_counter()
        self._out, self._rejects, self._adjudicate = out, rejects, adjudicate
        items: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for row in rows:
            self.stats.rows += 1
            if row.error is not None:
                self._reject(row.line, "invalid_json", row.error, row.raw)
                continue
            value = row.value
            if not isinstance(value, dict):
                self._reject(row.line, "not_an_object", "expected an object", value)
                continue
            item, annotator = value.get(self.spec.item), value.get(self.spec.annotator)
            if item in (None, "") or annotator in (None, ""):
                missing = self.spec.item if item in (None, "") else self.spec.annotator
                self._reject(
                    row.line,
                    "no_" + ("item" if missing == self.spec.item else "annotator"),
                    f"no {missing}",
                    value,
                )
                continue
            items.setdefault(str(item), []).append((row.line, value))
        resolved: dict[str, Any] = {}
        labels: dict[str, dict[str, Any]] = {}
        for item, item_rows in items.items():
            labels[item], label = self._item(item, item_rows)
            if label is not None:
                resolved[item] = label
        self.stats.extra["agreement"] = self._overall(labels, resolved)
        self.stats.seconds = time.perf_counter() - started
        self.stats.check()
        return self.stats

    def _item(
        self, item: str, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[dict[str, Any], Any]:
        """Resolve one item; returns its labels by annotator and its resolved label (or None)."""
        spec = self.spec
        by_annotator: dict[str, tuple[int, dict[str, Any]]] = {}
        for line, value in rows:  # an annotator's later row replaces the earlier one
            annotator = str(value[spec.annotator])
            if annotator in by_annotator:
                old_line, old = by_annotator[annotator]
                self._reject(old_line, "superseded", f"{annotator} labelled {item} again", old)
            by_annotator[annotator] = (line, value)
        kept = list(by_annotator.values())
        labels = (
            {a: _label(v.get(spec.label)) for a, (_, v) in by_annotator.items()}
            if spec.label
            else {}
        )
        replies: dict[str, str] = {}
        for a, (_, v) in by_annotator.items():
            edit = v.get(spec.reply) if spec.reply else None
            if isinstance(edit, str) and edit.strip():
                replies[a] = edit
        present = {a: x for a, x in labels.items() if x is not None}
        try:
            messages = self._messages(kept[0][1])
        except ValueError as exc:
            self._reject_all(kept, "bad_item", str(exc))
            return present, None
        count = len(present) if spec.label else len(replies)
        if count < spec.min_annotators:
            self._unresolved(
                item,
                kept,
                present,
                replies,
                "too_few_annotators",
                f"{count} annotator(s), {spec.min_annotators} needed",
                None,
            )
            return present, None
        agreement = (
            item_agreement(list(present.values()), spec.level, spec.scale) if spec.label else None
        )
        if agreement is not None and agreement < spec.threshold:
            self._unresolved(
                item,
                kept,
                present,
                replies,
                "low_agreement",
                f"agreement {agreement:.2f} < {spec.threshold}",
                agreement,
            )
            return present, None
        label = self._resolve(list(present.values())) if spec.label else None
        if spec.label and label is None:
            self._unresolved(
                item, kept, present, replies, "no_majority", "no label has a majority", agreement
            )
            return present, None
        annotation: dict[str, Any] = {
            "label": label,
            "agreement": None if agreement is None else round(agreement, 4),
            "annotators": len(kept),
            "labels": present,
        }
        if replies:
            edit, votes = Counter(replies.values()).most_common(1)[0]
            if votes * 2 > len(replies) or len(replies) == 1:
                last = max(
                    (i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None
                )
                if last is not None:
                    annotation["original_reply"] = messages[last]["content"]
                    messages[last] = {"role": "assistant", "content": edit}
            annotation["replies"] = replies
        record = {
            "id": item,
            "messages": messages,
            "metadata": {"source": "annotations", "annotation": annotation},
        }
        written = {"record": record, "file": self.name, "line": kept[0][0]}
        self._out.write(orjson.dumps(written, default=str) + b"\n")
        self.stats.records += 1
        self.stats.rows_in_records += len(kept)
        return present, label

    def _messages(self, value: dict[str, Any]) -> list[dict[str, Any]]:
        spec = self.spec
        if spec.messages is not None:
            raw = value.get(spec.messages)
            if isinstance(raw, str):
                try:
                    raw = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    raise ValueError(f"{spec.messages}: not a JSON list") from None
            if not isinstance(raw, list) or not raw:
                raise ValueError(f"{spec.messages}: not a list of messages")
            out = []
            for m in raw:
                if not isinstance(m, dict):
                    raise ValueError(f"{spec.messages}: a message is not an object")
                sender = str(m.get("role", m.get("from", ""))).lower()
                role = DEFAULT_ROLES.get(sender)
                content = m.get("content", m.get("value"))
                if role is None or not isinstance(content, str):
                    raise ValueError(f"{spec.messages}: a message without a known role or text")
                out.append({"role": role, "content": content})
            return out
        prompt, response = value.get(spec.prompt or ""), value.get(spec.response or "")
        if not isinstance(prompt, str) or not isinstance(response, str):
            raise ValueError(f"{spec.prompt}/{spec.response}: the item's texts are missing")
        return [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]

    def _resolve(self, labels: list[Any]) -> Any:
        if self.spec.resolution == "median":
            return statistics.median_low(labels)  # a label of the scale, never between two
        counts = Counter(labels).most_common()
        if len(counts) > 1 and counts[0][1] == counts[1][1]:
            return None
        return counts[0][0]

    def _unresolved(
        self,
        item: str,
        rows: list[tuple[int, dict[str, Any]]],
        labels: dict[str, Any],
        replies: dict[str, Any],
        code: str,
        detail: str,
        agreement: float | None,
    ) -> None:
        self._reject_all(rows, code, f"item {item}: {detail}")
        if self._adjudicate is not None:
            entry = {
                "item": item,
                "reason": code,
                "detail": detail,
                "agreement": None if agreement is None else round(agreement, 4),
                "labels": labels,
                "replies": replies,
                "lines": [line for line, _ in rows],
                "row": rows[0][1],
            }
            self._adjudicate.write(orjson.dumps(entry, default=str) + b"\n")
        self.stats.extra["to_adjudicate"] = self.stats.extra.get("to_adjudicate", 0) + 1

    def _overall(
        self, labels: dict[str, dict[str, Any]], resolved: dict[str, Any]
    ) -> dict[str, Any]:
        """The export's agreement as a whole (empty without labels)."""
        spec = self.spec
        units = [list(by.values()) for by in labels.values() if len(by) >= 2]
        if not spec.label or not units:
            return {}
        level = spec.level
        out: dict[str, Any] = {
            "level": level,
            "items": len(labels),
            "percent_agreement": round(percent_agreement(units), 4),
            "krippendorff_alpha": round(krippendorff_alpha(units, level), 4),
        }
        sizes = {len(u) for u in units}
        if len(sizes) == 1 and len(units) == len(labels):
            out["fleiss_kappa"] = round(fleiss_kappa(units), 4)
        annotators = sorted({a for by in labels.values() for a in by})
        pairs = {}
        for a, b in itertools.combinations(annotators, 2):
            shared = [i for i, by in labels.items() if a in by and b in by]
            if len(shared) >= 2:
                weights: Literal["quadratic"] | None = None if level == "nominal" else "quadratic"
                pairs[f"{a}~{b}"] = {
                    "items": len(shared),
                    "cohen_kappa": round(
                        cohen_kappa(
                            [labels[i][a] for i in shared],
                            [labels[i][b] for i in shared],
                            weights=weights,
                        ),
                        4,
                    ),
                }
        out["pairs"] = pairs
        with_resolved = {}
        for a in annotators:
            mine = [(labels[i][a], resolved[i]) for i in resolved if a in labels[i]]
            if mine:
                with_resolved[a] = round(sum(_same(x, y) for x, y in mine) / len(mine), 4)
        out["annotator_vs_resolved"] = with_resolved
        return out

    def _reject_all(self, rows: list[tuple[int, dict[str, Any]]], code: str, detail: str) -> None:
        for line, value in rows:
            self._reject(line, code, detail, value)

    def _reject(self, line: int, code: str, detail: str, record: Any) -> None:
        self.stats.rejected[code] += 1
        self._rejects.write(reject_line(self.step, code, None, detail, self.name, line, record))


def _label(value: Any) -> Any:
    """A label as compared: numbers as numbers (CSV gives text), text stripped, blanks None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _same(label: Any, resolved: Any) -> bool:
    try:
        return float(label) == float(resolved)
    except (TypeError, ValueError):
        return bool(label == resolved)
