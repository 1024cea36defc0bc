"""Recipes: YAML files people write, validated against the step schemas before anything runs.

```yaml
version: 1
inputs: [logs.jsonl]               # or {path, format, container, map}, {logs|sql|annotations: ...}
output_dir: out                    # relative to the recipe file
outputs: [{path: train.jsonl, format: openai}]
options: {workers: auto, chunk_size: 2000, on_error: reject, seed: 0}
steps:
  - normalize.unicode              # an id alone: every parameter at its default
  - filter.length: {max: 8000}     # an id with parameters
  - step: filter.length            # the long form, with a name to tell two uses apart
    name: short_user_turns
    roles: [user]
    min: 2
```
"""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ftprep.collect.annotations import AnnotationSpec
from ftprep.collect.spec import LogSpec
from ftprep.collect.sql import SqlSpec
from ftprep.engine.yamlfile import Path as DocPath
from ftprep.engine.yamlfile import RecipeError, line_of, load_yaml, parse_scalar
from ftprep.report.card import CardSpec
from ftprep.reviewapp.source import ReviewSourceSpec
from ftprep.steps import Step, StepParams, UnknownStepError, get_step

VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(_Strict):
    path: str = Field(description="A file or directory, relative to the recipe.")
    format: str | None = Field(None, description="Input format (default: detected).")
    container: str | None = Field(None, description="File kind (default: detected).")
    map: dict[str, str] | None = Field(None, description="Column mapping, as `--map` takes it.")
    dataset_info: str | None = Field(None, description="A LLaMA-Factory dataset_info.json.")
    dataset: str | None = Field(None, description="The dataset_info.json entry.")


class LogInput(_Strict):
    logs: LogSpec = Field(description="Conversations collected from an interaction log.")


class SqlInput(_Strict):
    sql: SqlSpec = Field(description="Conversations collected from a SQL table or query.")


class AnnotationInput(_Strict):
    annotations: AnnotationSpec = Field(
        description="Items resolved from an annotation export with several annotators."
    )


class ReviewInput(_Strict):
    review: ReviewSourceSpec = Field(description="The accepted items of a review app project.")


class OutputSpec(_Strict):
    path: str = Field(
        description="Output file, relative to output_dir; `{split}` in it makes one output per "
        "split of the `split` step."
    )
    format: str = Field("openai", description="Output format.")
    container: str | None = Field(None, description="File kind (default: from the extension).")
    split: str | None = Field(
        None, description="Only the records of this split (`metadata.split`, set by `split`)."
    )


class Options(_Strict):
    workers: int | Literal["auto"] = Field("auto", description="Worker processes; auto: all cores.")
    chunk_size: int = Field(2000, ge=1, description="Input rows per shard.")
    on_error: Literal["reject", "fail"] = Field(
        "reject", description="A record a step crashes on: reject it, or stop the run."
    )
    seed: int = Field(0, description="Seed handed to steps that draw random numbers.")


@dataclass
class StepSpec:
    name: str
    id: str
    params: StepParams

    def build(self) -> Step:
        return get_step(self.id)(self.params)


@dataclass
class Recipe:
    """A validated recipe; paths stay as written and are resolved against :attr:`base_dir`."""

    inputs: list[InputSpec | LogInput | SqlInput | AnnotationInput | ReviewInput]
    outputs: list[OutputSpec]
    steps: list[StepSpec]
    options: Options = field(default_factory=lambda: Options.model_validate({}))
    card: CardSpec = field(default_factory=lambda: CardSpec.model_validate({}))
    output_dir: str = "out"
    base_dir: Path = field(default_factory=Path)
    file: str = "<recipe>"

    def path(self, value: str) -> Path:
        return Path(value) if os.path.isabs(value) else self.base_dir / value

    @property
    def out_dir(self) -> Path:
        return self.path(self.output_dir)

    def resolved(self) -> dict[str, Any]:
        """The fully defaulted recipe, as plain data (what ``ftprep recipe resolve`` prints)."""
        return {
            "version": VERSION,
            "inputs": [i.model_dump(mode="json") for i in self.inputs],
            "output_dir": self.output_dir,
            "outputs": [o.model_dump(mode="json") for o in self.outputs],
            "options": self.options.model_dump(mode="json"),
            "card": self.card.model_dump(mode="json", exclude_defaults=True),
            "steps": [
                {"step": s.id, "name": s.name, **s.params.model_dump(mode="json")}
                for s in self.steps
            ],
        }

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.resolved(), sort_keys=False, allow_unicode=True)

    def fingerprint(self) -> str:
        """A hash of what decides the output (the worker count does not)."""
        data = self.resolved()
        data["options"].pop("workers")
        return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def build_steps(self) -> list[tuple[str, Step]]:
        return [(s.name, s.build()) for s in self.steps]


def load_recipe(path: str | os.PathLike[str], overrides: list[str] | None = None) -> Recipe:
    """Read and validate the recipe at ``path``, with ``--set KEY=VALUE`` overrides applied."""
    file = os.fspath(path)
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise RecipeError(f"cannot read: {exc.strerror or exc}", file=file) from None
    data, lines = load_yaml(text, file)
    return parse_recipe(
        data, file=file, lines=lines, base_dir=Path(file).parent, overrides=overrides
    )


def parse_recipe(
    data: Any,
    *,
    file: str = "<recipe>",
    lines: dict[DocPath, int] | None = None,
    base_dir: Path | None = None,
    overrides: list[str] | None = None,
) -> Recipe:
    """Validate recipe ``data`` (as YAML reads it); every error names file, line, step and key."""
    lines = lines or {}

    def fail(message: str, at: DocPath = (), **kw: Any) -> RecipeError:
        return RecipeError(message, file=file, line=line_of(lines, at) if at else None, **kw)

    if not isinstance(data, dict):
        raise fail("a recipe is a mapping with version, inputs, outputs and steps")
    data = copy.deepcopy(data)
    if data.get("version") != VERSION:
        raise fail(f"version must be {VERSION}, got {data.get('version')!r}", ("version",))
    steps_raw = data.get("steps") or []
    if not isinstance(steps_raw, list):
        raise fail("steps must be a list", ("steps",))
    entries = [_step_entry(raw, i, fail) for i, raw in enumerate(steps_raw)]
    _name_steps(entries, fail)
    for override in overrides or []:
        _apply_override(data, entries, override, file)
    top = {k: v for k, v in data.items() if k not in ("version", "steps")}
    unknown = set(top) - {"inputs", "outputs", "output_dir", "options", "card"}
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise fail(f"unknown key {key!r}", (key,), key=str(key))
    try:
        inputs = [_as_input(i) for i in _listify(top.get("inputs"))]
        outputs = [_as_output(o) for o in _listify(top.get("outputs"))]
        options = Options.model_validate(top.get("options") or {})
        card = CardSpec.model_validate(top.get("card") or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _section_loc(top, err["loc"])
        raise fail(err["msg"], loc, key=".".join(map(str, loc))) from None
    steps = []
    for index, name, step_id, params in entries:
        try:
            cls = get_step(step_id)
        except UnknownStepError as exc:
            raise fail(str(exc), ("steps", index), step=name) from None
        try:
            validated = cls.Params.model_validate(params)
            steps.append(StepSpec(name, step_id, validated.resolve_paths(base_dir or Path())))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"]) or None
            at: DocPath = ("steps", index, *_param_path(steps_raw[index], step_id, err["loc"]))
            msg = "unknown parameter" if err["type"] == "extra_forbidden" else err["msg"]
            raise fail(msg, at, step=name, key=key) from None
    outputs = _route_splits(outputs, steps, fail)
    return Recipe(
        inputs=inputs,
        outputs=outputs,
        steps=steps,
        options=options,
        card=card,
        output_dir=str(top.get("output_dir") or "out"),
        base_dir=base_dir or Path(),
        file=file,
    )


def _route_splits(outputs: list[OutputSpec], steps: list[StepSpec], fail: Any) -> list[OutputSpec]:
    """Expand ``{split}`` in output paths into one output per split name, and check that every
    split goes to some output (a record no output takes would be lost)."""
    names: list[str] = []
    for spec in steps:
        split_names = getattr(spec.params, "split_names", None)
        if callable(split_names):
            names = list(split_names())
    expanded: list[OutputSpec] = []
    for index, out in enumerate(outputs):
        if "{split}" not in out.path:
            expanded.append(out)
            continue
        if not names:
            raise fail("{split} in an output path needs a split step", ("outputs", index, "path"))
        if out.split is not None:
            raise fail("an output with {split} in its path takes no split", ("outputs", index))
        expanded += [
            out.model_copy(update={"path": out.path.replace("{split}", n), "split": n})
            for n in names
        ]
    routed = [o.split for o in expanded]
    if routed and None not in routed:
        missing = [n for n in names if n not in routed]
        if missing:
            raise fail(
                f"no output takes split(s) {', '.join(missing)}: add outputs for them, one "
                "without split:, or {split} in a path",
                ("outputs",),
            )
    return expanded


def _step_entry(raw: Any, index: int, fail: Any) -> list[Any]:
    """``[index, name, id, params]`` from any of the step forms."""
    at = ("steps", index)
    if isinstance(raw, str):
        return [index, None, raw, {}]
    if isinstance(raw, dict) and "step" in raw:
        params = {k: v for k, v in raw.items() if k not in ("step", "name")}
        return [index, raw.get("name"), str(raw["step"]), params]
    if isinstance(raw, dict) and len(raw) == 1:
        ((step_id, params),) = raw.items()
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise fail("a step's parameters are a mapping", at, step=str(step_id))
        return [index, None, str(step_id), dict(params)]
    raise fail("a step is an id, {id: {params}} or {step: id, name: ..., params...}", at)


def _name_steps(entries: list[list[Any]], fail: Any) -> None:
    seen: dict[str, int] = {}
    for entry in entries:
        index, name, step_id = entry[0], entry[1], entry[2]
        if name is None:
            n = seen.get(step_id, 0)
            name = step_id if n == 0 else f"{step_id}#{n + 1}"
        if name in {e[1] for e in entries if e is not entry}:
            raise fail(f"two steps are named {name!r}", ("steps", index), step=name)
        seen[step_id] = seen.get(step_id, 0) + 1
        entry[1] = name


def _apply_override(data: dict[str, Any], entries: list[list[Any]], text: str, file: str) -> None:
    key, sep, value = text.partition("=")
    if not sep or "." not in key:
        raise RecipeError(
            f"--set {text!r}: expected STEP.PARAM=VALUE or options.KEY=VALUE", file=file
        )
    owner, _, param = key.rpartition(".")
    parsed = parse_scalar(value)
    if owner in ("options",):
        data.setdefault("options", {})
        data["options"][param] = parsed
        return
    for entry in entries:
        if entry[1] == owner:
            entry[3][param] = parsed
            return
    names = ", ".join(e[1] for e in entries) or "(none)"
    raise RecipeError(f"--set {text!r}: no step named {owner!r}; steps: {names}", file=file)


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _as_input(value: Any) -> InputSpec | LogInput | SqlInput | AnnotationInput | ReviewInput:
    if isinstance(value, dict) and "review" in value:
        return ReviewInput.model_validate(value)
    if isinstance(value, dict) and "annotations" in value:
        return AnnotationInput.model_validate(value)
    if isinstance(value, dict) and "logs" in value:
        return LogInput.model_validate(value)
    if isinstance(value, dict) and "sql" in value:
        return SqlInput.model_validate(value)
    return InputSpec.model_validate({"path": value} if isinstance(value, str) else value)


def _as_output(value: Any) -> OutputSpec:
    return OutputSpec.model_validate({"path": value} if isinstance(value, str) else value)


def _section_loc(top: dict[str, Any], loc: tuple[Any, ...]) -> DocPath:
    """Where in the document a validation error of inputs/outputs/options points."""
    for section in ("inputs", "outputs", "options"):
        value = top.get(section)
        if section == "options" and isinstance(value, dict) and loc and loc[0] in value:
            return (section, *loc)
        if section != "options" and value is not None:
            try:
                if section == "inputs":
                    [_as_input(i) for i in _listify(value)]
                else:
                    [_as_output(o) for o in _listify(value)]
            except ValidationError:
                return (section,)
    return ("options", *loc)


def _param_path(raw: Any, step_id: str, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    if isinstance(raw, dict) and "step" not in raw:
        return (step_id, *loc[:1])
    return tuple(loc[:1])
