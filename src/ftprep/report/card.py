"""The dataset card: ``README.md`` in the Hugging Face dataset-card format.

YAML front matter (license, language, task categories, size category, configs with each
output's splits, pretty name, tags), then: a summary; the sources with their hashes and the
collection dates; every processing step with its parameters and counts; statistics; how PII was
handled; known issues and limitations (the warnings and the checklist items that failed or need
a human); intended use; how to load it (``datasets``, Axolotl, LLaMA-Factory). Text that comes
from the data (categories, reasons) is escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ftprep.report.checklist import checklist
from ftprep.stats import share

_SIZES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
]


class CardSpec(BaseModel):
    """What the card says that the data cannot tell (a recipe's ``card:`` section)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="The dataset's name (default: output_dir's).")
    license: str = Field("other", description="A license id (apache-2.0, cc-by-4.0, other...).")
    language: list[str] | None = Field(None, description="Language codes (default: detected).")
    task_categories: list[str] = Field(
        default_factory=lambda: ["text-generation"], description="Hub task categories."
    )
    tags: list[str] = Field(default_factory=list, description="More Hub tags.")
    description: str | None = Field(None, description="What the dataset is, in a paragraph.")
    intended_use: str | None = Field(None, description="What it is for, and what it is not for.")


def size_category(n: int) -> str:
    for bound, label in _SIZES:
        if n < bound:
            return label
    return "n>100M"


def render_card(
    *,
    spec: CardSpec,
    name: str,
    run: dict[str, Any],
    manifest: dict[str, Any],
    outputs: list[tuple[str, str, str | None]],
    snippets: dict[str, str],
) -> str:
    """The card's text. ``outputs``: ``(file name, format, split)`` of the JSON outputs; the
    first format's files make the ``default`` config, each other format a config of its own."""
    dataset = run.get("dataset") or {}
    n = int(run.get("written") or dataset.get("records") or 0)
    languages = spec.language or [
        code
        for code, count in (dataset.get("languages") or {}).items()
        if code != "unknown" and count >= max(1, 0.01 * max(dataset.get("sample_size", 1), 1))
    ]
    configs: dict[str, dict[str, list[str]]] = {}
    for file, fmt, split in outputs:
        config = configs.setdefault(fmt, {})
        config.setdefault(split or "train", []).append(file)
    by_split = next(iter(configs.values()), {})
    front: dict[str, Any] = {
        "license": spec.license,
        "language": languages or None,
        "task_categories": spec.task_categories,
        "size_categories": [size_category(n)],
        "pretty_name": name,
        "tags": ["ftprep", "fine-tuning", "conversational", *spec.tags],
        "configs": [
            {
                "config_name": "default" if k == 0 else fmt,
                "data_files": [
                    {"split": split, "path": files[0] if len(files) == 1 else files}
                    for split, files in splits.items()
                ],
            }
            for k, (fmt, splits) in enumerate(configs.items())
        ],
    }
    front = {k: v for k, v in front.items() if v is not None}
    parts = ["---", yaml.safe_dump(front, sort_keys=False).strip(), "---", f"# {_md(name)}", ""]
    parts.append(
        spec.description
        or f"{n:,} fine-tuning examples prepared with ftprep {manifest.get('ftprep', '')}."
    )
    parts += ["", "## Sources", ""]
    for source in manifest.get("inputs", []):
        digest = source.get("sha256")
        parts.append(
            f"- `{_md(source['path'])}` ({source['format']}, {source['container']})"
            + (f", sha256 `{digest[:16]}…`" if digest else "")
        )
    for c in run.get("collect", []):
        parts.append(
            f"- collected from `{_md(c['source'])}`: {c['rows']:,} rows into "
            f"{c['records']:,} conversations, {c['rejected']:,} rows rejected"
            + (f"; newest row {c['newest']}" if c.get("newest") else "")
        )
    parts += ["", "## Processing", ""]
    params = {s["name"]: _given(s) for s in manifest.get("recipe", {}).get("steps", [])}
    parts.append("| step | parameters | in | kept | rejected (reasons) |")
    parts.append("|---|---|---:|---:|---|")
    for step in run.get("steps", []):
        given = params.get(step["name"], {})
        shown = ", ".join(f"{k}={_short(v)}" for k, v in given.items()) or "defaults"
        reasons = _md(", ".join(f"{k} {v:,}" for k, v in step["rejected"].items()))
        parts.append(
            f"| {_md(step['name'])} | {_md(shown)} | {step['in']:,} | {step['kept']:,} | "
            f"{sum(step['rejected'].values()):,}{f' ({reasons})' if reasons else ''} |"
        )
    parts += ["", "## Statistics", ""]
    if dataset:
        first = outputs[0][0] if outputs else "the first output"
        parts += [f"Of `{_md(first)}`:", "", *_statistics(dataset)]
    parts += ["", "## Personal data", ""]
    pii = next((s for s in run.get("steps", []) if s["step"] == "pii.redact"), None)
    if pii is None:
        parts.append("No PII step ran: the data may hold personal information. Check it.")
    else:
        mode = params.get(pii["name"], {}).get("mode", "redact")
        found = {k[4:]: v for k, v in pii.get("counts", {}).items() if k.startswith("pii.")}
        parts.append(
            f"PII was detected and handled by `pii.redact` (mode `{_md(str(mode))}`): "
            + (", ".join(f"{k} {v:,}" for k, v in found.items()) or "none found")
            + ". Detection is automatic and can miss things."
        )
    parts += ["", "## Known issues and limitations", ""]
    issues = [f"- {_md(w)}" for w in run.get("warnings", [])]
    steps = {s["step"] for s in run.get("steps", [])}
    errors = (run.get("output_validation") or {}).get("errors")
    for item in checklist(dataset or None, steps, errors):
        if item.status != "pass":
            state = "needs a human" if item.status == "human" else "failed"
            issues.append(f"- {_md(item.item)} ({state}): {_md(item.detail)}")
    parts += issues or ["None known."]
    parts += ["", "## Intended use", ""]
    parts.append(
        spec.intended_use
        or "Supervised fine-tuning of chat models on the tasks these conversations show. "
        "Not reviewed for use beyond that; evaluate a model trained on it before deployment."
    )
    parts += ["", "## Loading", "", "```python", "from datasets import load_dataset", ""]
    files = {split: f[0] for split, f in by_split.items()}
    parts.append(f'ds = load_dataset("json", data_files={files!r})')
    parts += ["```", ""]
    for title, text in snippets.items():
        parts += [f"{title}:", "", "```", text.strip(), "```", ""]
    return "\n".join(parts)


def _given(entry: dict[str, Any]) -> dict[str, Any]:
    """A resolved step's parameters that differ from the step's defaults."""
    from ftprep.steps import get_step

    values = {k: v for k, v in entry.items() if k not in ("step", "name")}
    try:
        defaults = get_step(entry["step"]).Params.model_validate({}).model_dump(mode="json")
    except Exception:  # a step with required parameters: all of them are given
        return values
    return {k: v for k, v in values.items() if defaults.get(k) != v}


def _statistics(d: dict[str, Any]) -> list[str]:
    rows = [
        ("examples", f"{d['records']:,}"),
        ("unique examples", share(d.get("uniqueness"))),
        ("unique inputs", share(d.get("input_uniqueness"))),
    ]
    if d.get("turns_per_conversation"):
        rows.append(("turns per conversation (mean)", str(d["turns_per_conversation"]["mean"])))
    for role, s in d.get("chars", {}).items():
        rows.append((f"{role} characters (mean / p95 / max)", f"{s['mean']:,.0f} / "
                     f"{s['p95']:,.0f} / {s['max']:,}"))  # fmt: skip
    if per := d.get("tokens", {}).get("per_example"):
        approx = " (approximate)" if d["tokens"]["approximate"] else ""
        rows.append(
            (f"tokens per example{approx} (mean / max)", f"{per['mean']:,.0f} / {per['max']:,}")
        )
    if d.get("categories", {}).get("counts"):
        rows.append(
            (
                "categories",
                ", ".join(f"{k} {v:,}" for k, v in d["categories"]["counts"].items()),
            )
        )
    if d.get("languages"):
        rows.append(
            ("languages (sample)", ", ".join(f"{k} {v:,}" for k, v in d["languages"].items()))
        )
    if d.get("splits", {}).get("counts"):
        rows.append(("splits", ", ".join(f"{k} {v:,}" for k, v in d["splits"]["counts"].items())))
    return ["| statistic | value |", "|---|---|"] + [f"| {_md(k)} | {_md(v)} |" for k, v in rows]


def write_trainer_files(
    folder: Path, outputs: list[tuple[Path, str, str | None]], name: str
) -> dict[str, str]:
    """Write ``axolotl.yaml`` and ``dataset_info.json`` into ``folder``; returns the snippets
    by title for the card."""
    import orjson

    from ftprep.engine.files import write_atomic
    from ftprep.report.trainers import axolotl_snippet, llamafactory_entries

    axolotl = axolotl_snippet(outputs, folder)
    entries = llamafactory_entries(outputs, folder, name)
    write_atomic(folder / "axolotl.yaml", axolotl.encode())
    info = orjson.dumps(entries, option=orjson.OPT_INDENT_2) + b"\n"
    write_atomic(folder / "dataset_info.json", info)
    return {
        "Axolotl (`axolotl.yaml`)": axolotl,
        "LLaMA-Factory (`dataset_info.json`, with `dataset_dir` set to this folder)": info.decode(),
    }


def _md(value: object) -> str:
    """Data as Markdown table text: HTML escaped, pipes and newlines neutralized."""
    return escape(str(value)).replace("|", "\\|").replace("\n", " ")


def _short(value: object) -> str:
    text = (
        value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True).strip()
    )
    text = str(text)
    return text if len(text) <= 80 else text[:79] + "…"


def card_name(spec: CardSpec, output_dir: Path) -> str:
    return spec.name or output_dir.name


__all__ = ["CardSpec", "card_name", "render_card", "size_category", "write_trainer_files"]
