"""Dataset statistics: what a user looks at before spending money on a fine-tuning job.

:func:`dataset_stats` reads records once and measures: counts and turns per conversation; roles;
length distributions in characters and tokens per role (mean, median, p5, p95, max) and tokens
per example against the target's context limit; the uniqueness of whole examples and of inputs;
distinct-n diversity of inputs and outputs (and, with ``embeddings``, the spread of input
embeddings); the category distribution and its imbalance ratio; distinct system prompts;
languages (with the ``lang`` extra); tool usage; the composition of example types; splits and
the overlap of inputs between them. :func:`warnings_for` turns them into warnings with
configurable :class:`Thresholds`.

Diversity is measured on a seeded sample (``sample`` records, 20,000 by default), languages on
2,000 of those and embeddings on up to 2,000 inputs, so that a 10M-record file costs no more
memory than a 20k one; everything else covers every record (one integer per record and role for
the lengths).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from ftprep.record import Record, content_text
from ftprep.tokens import load_counter
from ftprep.tokens.limits import context_limit

ROLES = ("system", "developer", "user", "assistant", "tool")
#: sampled records whose language is detected (about 0.3 ms each)
LANGUAGE_SAMPLE = 2000


@dataclass(frozen=True)
class Thresholds:
    """When a statistic earns a warning (the seeds' rules of thumb, each overridable)."""

    min_examples: int = 100
    max_examples: int = 50_000
    min_input_uniqueness: float = 0.90
    max_mean_input_chars: int = 2000
    max_mean_output_chars: int = 1500
    max_imbalance: float = 10.0
    min_test_examples: int = 50


@dataclass
class _Acc:
    """What one pass gathers."""

    records: int = 0
    conversations: int = 0
    texts: int = 0
    turns: list[int] = field(default_factory=list)
    roles: Counter[str] = field(default_factory=Counter)
    chars: dict[str, list[int]] = field(default_factory=dict)
    tokens: dict[str, list[int]] = field(default_factory=dict)
    example_tokens: list[int] = field(default_factory=list)
    whole: set[bytes] = field(default_factory=set)
    inputs: set[bytes] = field(default_factory=set)
    categories: Counter[str] = field(default_factory=Counter)
    systems: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    tools: Counter[str] = field(default_factory=Counter)
    called: Counter[str] = field(default_factory=Counter)
    splits: Counter[str] = field(default_factory=Counter)
    split_inputs: dict[str, set[bytes]] = field(default_factory=dict)
    sample: list[tuple[str, str]] = field(default_factory=list)  # (input, output)


def dataset_stats(
    records: Iterable[Record],
    *,
    tokenizer: str | None = None,
    target: str | None = None,
    category_field: str = "category",
    sample: int = 20_000,
    seed: int = 0,
    languages: bool = True,
    embeddings: bool = False,
) -> dict[str, Any]:
    """Every statistic of ``records`` as plain data (see the module docstring)."""
    counter = load_counter(tokenizer)
    limit = context_limit(target)
    rng = random.Random(seed)
    acc = _Acc()
    for record in records:
        _add(acc, record, counter, category_field, sample, rng)
    out: dict[str, Any] = {
        "records": acc.records,
        "conversations": acc.conversations,
        "texts": acc.texts,
        "turns_per_conversation": _dist(acc.turns),
        "roles": dict(acc.roles.most_common()),
        "chars": {role: _dist(v) for role, v in acc.chars.items()},
        "tokens": {
            "tokenizer": counter.name,
            "approximate": counter.approximate,
            "per_role": {role: _dist(v) for role, v in acc.tokens.items()},
            "per_example": _dist(acc.example_tokens),
            "limit": limit,
            "target": target or "openai",
            "over_limit": sum(t > limit for t in acc.example_tokens),
        },
        "uniqueness": round(len(acc.whole) / acc.records, 4) if acc.records else None,
        "input_uniqueness": (
            round(len(acc.inputs) / acc.conversations, 4) if acc.conversations else None
        ),
        "diversity": _diversity(acc.sample),
        "categories": _categories(acc.categories, category_field),
        "system_prompts": {
            "distinct": len(acc.systems),
            "top": [{"prompt": p[:200], "records": n} for p, n in acc.systems.most_common(5)],
        },
        "tools": {
            "records_with_tools": acc.types["with_tools"],
            "records_with_tool_calls": acc.types["tool_use"],
            "functions_defined": dict(acc.tools.most_common(20)),
            "functions_called": dict(acc.called.most_common(20)),
        },
        "composition": dict(acc.types.most_common()),
        "splits": _splits(acc),
        "sample_size": len(acc.sample),
        "histograms": {
            "chars": {role: _histogram(v) for role, v in acc.chars.items()},
            "tokens_per_example": _histogram(acc.example_tokens),
        },
    }
    if languages:  # 2,000 of the sampled records tell the mix within a percent or two
        out["languages"] = _languages([i + "\n" + o for i, o in acc.sample[:LANGUAGE_SAMPLE]])
    if embeddings:
        out["embedding_spread"] = _spread([i for i, _ in acc.sample][:2000])
    return out


def _add(
    acc: _Acc,
    record: Record,
    counter: Any,
    category_field: str,
    sample: int,
    rng: random.Random,
) -> None:
    acc.records += 1
    line = record.to_dict()
    acc.whole.add(_digest(line | {"id": None, "metadata": None}))
    split = record.metadata.get("split")
    if isinstance(split, str):
        acc.splits[split] += 1
    category = record.metadata.get(category_field)
    if category is not None and not isinstance(category, (dict, list)):
        acc.categories[str(category)] += 1
    if record.is_text:
        acc.texts += 1
        text = record.text or ""
        acc.chars.setdefault("text", []).append(len(text))
        acc.tokens.setdefault("text", []).append(counter.count(text))
        acc.types["text"] += 1
        _sample(acc, (text[:2000], ""), sample, rng)
        return
    acc.conversations += 1
    messages = record.messages
    acc.turns.append(len(messages))
    inputs, output = [], ""
    for m in messages:
        acc.roles[m.role] += 1
        text = m.content if isinstance(m.content, str) else content_text(m.content)
        text = text or ""
        acc.chars.setdefault(m.role, []).append(len(text))
        acc.tokens.setdefault(m.role, []).append(counter.count(text) if text else 0)
        if m.role == "assistant":
            output = text
            for call in m.tool_calls or []:
                acc.called[call.name] += 1
        elif m.role != "system":
            inputs.append(text)
        if m.role == "system" and text:
            acc.systems[text] += 1
        if m.weight is not None:
            acc.types["weighted_turns"] += 1
    total, _ = counter.count_messages(line["messages"], record.tools)
    acc.example_tokens.append(total)
    key = _digest(inputs)
    acc.inputs.add(key)
    if isinstance(split, str):
        acc.split_inputs.setdefault(split, set()).add(key)
    users = sum(m.role == "user" for m in messages)
    acc.types["multi_turn" if users > 1 else "single_turn"] += 1
    if any(m.role == "system" for m in messages):
        acc.types["with_system"] += 1
    if record.tools:
        acc.types["with_tools"] += 1
        for tool in record.tools:
            name = (tool.get("function") or {}).get("name") if isinstance(tool, dict) else None
            if name:
                acc.tools[str(name)] += 1
    if any(m.tool_calls for m in messages):
        acc.types["tool_use"] += 1
    _sample(acc, ("\n".join(inputs)[:2000], output[:2000]), sample, rng)


def _sample(acc: _Acc, item: tuple[str, str], size: int, rng: random.Random) -> None:
    """Reservoir sampling: every record has the same chance to be in the sample."""
    if len(acc.sample) < size:
        acc.sample.append(item)
        return
    k = rng.randrange(acc.records)
    if k < size:
        acc.sample[k] = item


def _digest(value: Any) -> bytes:
    return hashlib.blake2b(orjson.dumps(value, default=str), digest_size=12).digest()


def _dist(values: list[int]) -> dict[str, float] | None:
    if not values:
        return None
    a = np.asarray(values)
    p5, median, p95 = np.percentile(a, [5, 50, 95])
    return {
        "count": int(a.size),
        "mean": round(float(a.mean()), 1),
        "median": float(median),
        "p5": float(p5),
        "p95": float(p95),
        "max": int(a.max()),
        "total": int(a.sum()),
    }


def _histogram(values: list[int], bins: int = 30) -> dict[str, list[float]] | None:
    """Counts in ``bins`` equal bins from 0 to the 99th percentile, the rest in a last bin (so
    one 26,000-character reply does not squash the plot)."""
    if not values:
        return None
    a = np.asarray(values)
    top = max(float(np.percentile(a, 99)), 1.0)
    edges = np.linspace(0, top, bins + 1)
    counts, _ = np.histogram(np.minimum(a, top), bins=edges)
    return {"edges": [round(float(e), 1) for e in edges], "counts": [int(c) for c in counts]}


def _diversity(sample: list[tuple[str, str]]) -> dict[str, Any]:
    """distinct-n of the sample's inputs and outputs: distinct n-grams over all n-grams."""
    out: dict[str, Any] = {}
    for side, texts in (("inputs", [i for i, _ in sample]), ("outputs", [o for _, o in sample])):
        for n in (1, 2):
            grams: set[tuple[str, ...]] = set()
            total = 0
            for text in texts:
                words = text.lower().split()
                total += max(len(words) - n + 1, 0)
                grams.update(zip(*(words[i:] for i in range(n)), strict=False))
            out[f"{side}_distinct_{n}"] = round(len(grams) / total, 4) if total else None
    return out


def _categories(counts: Counter[str], name: str) -> dict[str, Any]:
    if not counts:
        return {"field": name, "counts": {}, "imbalance": None}
    most, least = max(counts.values()), min(counts.values())
    return {
        "field": name,
        "counts": dict(counts.most_common()),
        "imbalance": round(most / least, 2),
    }


def _splits(acc: _Acc) -> dict[str, Any]:
    overlap = {}
    names = sorted(acc.split_inputs)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = len(acc.split_inputs[a] & acc.split_inputs[b])
            if shared:
                overlap[f"{a}~{b}"] = shared
    return {"counts": dict(acc.splits), "input_overlap": overlap}


def _languages(texts: list[str]) -> dict[str, int] | None:
    """Languages of the sample with py3langid (the ``lang`` extra), else None."""
    try:
        from ftprep.steps.filter.language import _load_identifier

        identifier = _load_identifier()
    except ImportError:
        return None
    found: Counter[str] = Counter()
    for text in texts:
        if sum(map(str.isalpha, text)) < 20:
            found["unknown"] += 1
            continue
        lang, confidence = identifier.classify(text[:500])
        found[lang if confidence >= 0.5 else "unknown"] += 1
    return dict(found.most_common())


def _spread(texts: list[str]) -> float | None:
    """The mean cosine distance between the inputs' embeddings (0: all alike), with the
    bundled local model; None without the semantic extra."""
    texts = [t for t in texts if t.strip()]
    if len(texts) < 2:
        return None
    try:
        from ftprep.embed.providers import LocalEmbedder

        vectors = LocalEmbedder().embed(texts)
    except Exception:  # the extra or its model missing: the statistic is left out
        return None
    mean = vectors.mean(axis=0)
    n = len(vectors)
    # mean pairwise cosine similarity of unit vectors, without the n*n matrix
    similarity = (float(np.dot(mean, mean)) * n * n - n) / (n * (n - 1))
    return round(1 - similarity, 4)


def warnings_for(stats: dict[str, Any], thresholds: Thresholds | None = None) -> list[str]:
    """What deserves a look before training, each with the number and the rule it broke."""
    t = thresholds or Thresholds()
    out = []
    n = stats["records"]
    if n < t.min_examples:
        out.append(f"only {n:,} examples (fewer than {t.min_examples:,}): expect little learning")
    if n > t.max_examples:
        out.append(
            f"{n:,} examples (more than {t.max_examples:,}): returns diminish; a cleaner "
            "subset may train as well for less"
        )
    uniq = stats.get("input_uniqueness")
    if uniq is not None and uniq < t.min_input_uniqueness:
        out.append(f"only {uniq:.0%} of inputs are distinct (under {t.min_input_uniqueness:.0%})")
    chars = stats["chars"]
    if (user := chars.get("user")) and user["mean"] > t.max_mean_input_chars:
        out.append(
            f"user turns average {user['mean']:,.0f} characters (over {t.max_mean_input_chars:,})"
        )
    if (reply := chars.get("assistant")) and reply["mean"] > t.max_mean_output_chars:
        out.append(
            f"assistant turns average {reply['mean']:,.0f} characters "
            f"(over {t.max_mean_output_chars:,})"
        )
    imbalance = stats["categories"]["imbalance"]
    if imbalance is not None and imbalance > t.max_imbalance:
        out.append(
            f"categories are imbalanced {imbalance:g}x (over {t.max_imbalance:g}x): "
            "consider the balance step"
        )
    splits = stats["splits"]["counts"]
    if "test" in splits and splits["test"] < t.min_test_examples:
        out.append(f"the test split has {splits['test']:,} examples (under {t.min_test_examples})")
    for pair, shared in stats["splits"]["input_overlap"].items():
        out.append(f"{shared:,} inputs appear in two splits ({pair.replace('~', ' and ')})")
    over = stats["tokens"]["over_limit"]
    if over:
        out.append(
            f"{over:,} examples exceed the {stats['tokens']['target']} context limit of "
            f"{stats['tokens']['limit']:,} tokens"
        )
    return out


def share(value: float | None) -> str:
    """A share such as a uniqueness, as people read it (``97.2%``; ``-`` when unknown)."""
    return "-" if value is None else f"{value:.1%}"


def ratio(value: float | None) -> str:
    """A ratio such as distinct-n (``0.086``; ``-`` when unknown)."""
    return "-" if value is None else f"{value:.3f}"
