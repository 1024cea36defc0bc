"""Recipes: the step forms, defaults, overrides, and errors that name file, line, step and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.engine import RecipeError, load_recipe, parse_recipe

GOOD = """\
version: 1
inputs: [chats.jsonl]
output_dir: out
outputs:
  - train.jsonl
  - {path: train.json, format: sharegpt}
options: {chunk_size: 100}
steps:
  - dedup.exact
  - filter.length: {max: 4000}
  - step: filter.length
    name: short_users
    roles: [user]
    min: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str, overrides: list[str] | None = None) -> RecipeError:
    with pytest.raises(RecipeError) as info:
        load_recipe(write(tmp_path, text), overrides)
    return info.value


def test_all_step_forms_resolve_with_defaults(tmp_path: Path) -> None:
    recipe = load_recipe(write(tmp_path, GOOD))
    resolved = recipe.resolved()
    assert [s["name"] for s in resolved["steps"]] == ["dedup.exact", "filter.length", "short_users"]
    assert resolved["steps"][1] == {
        "step": "filter.length",
        "name": "filter.length",
        "roles": ["assistant"],
        "unit": "chars",
        "tokenizer": None,
        "min": 1,
        "max": 4000,
        "scope": "message",
    }
    assert resolved["steps"][0]["normalize"] == ["unicode", "case", "whitespace"]
    assert resolved["outputs"][1] == {
        "path": "train.json",
        "format": "sharegpt",
        "container": None,
        "split": None,
    }
    assert resolved["options"] == {
        "workers": "auto",
        "chunk_size": 100,
        "on_error": "reject",
        "seed": 0,
    }
    assert recipe.out_dir == tmp_path / "out"
    assert recipe.path("chats.jsonl") == tmp_path / "chats.jsonl"


def test_the_same_step_twice_gets_numbered_names(tmp_path: Path) -> None:
    text = GOOD.replace("    name: short_users\n", "")
    recipe = load_recipe(write(tmp_path, text))
    assert [s.name for s in recipe.steps] == ["dedup.exact", "filter.length", "filter.length#2"]


def test_overrides_reach_steps_and_options(tmp_path: Path) -> None:
    recipe = load_recipe(
        write(tmp_path, GOOD),
        [
            "short_users.min=5",
            "filter.length.max=10",
            "options.workers=3",
            "short_users.roles=[user, assistant]",
        ],
    )
    params = {s.name: s.params for s in recipe.steps}
    assert params["short_users"].min == 5  # type: ignore[attr-defined]
    assert params["short_users"].roles == ["user", "assistant"]  # type: ignore[attr-defined]
    assert params["filter.length"].max == 10  # type: ignore[attr-defined]
    assert recipe.options.workers == 3


def test_fingerprint_ignores_workers_only(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    base = load_recipe(path).fingerprint()
    assert load_recipe(path, ["options.workers=7"]).fingerprint() == base
    assert load_recipe(path, ["filter.length.max=9"]).fingerprint() != base


@pytest.mark.parametrize(
    ("old", "new", "line", "step", "key", "words"),
    [
        ("min: 2", "min: two", 14, "short_users", "min", "valid integer"),
        ("min: 2", "mni: 2", 14, "short_users", "mni", "unknown parameter"),
        ("filter.length: {max", "filter.lenght: {max", 10, "filter.lenght", None, "did you mean"),
        ("{max: 4000}", "{max: many}", 10, "filter.length", "max", "valid integer"),
        ("{max: 4000}", "{max: 1, min: 5}", 10, "filter.length", None, "less than min"),
    ],
)
def test_errors_name_file_line_step_and_key(
    tmp_path: Path, old: str, new: str, line: int, step: str, key: str | None, words: str
) -> None:
    err = error_of(tmp_path, GOOD.replace(old, new))
    assert err.file is not None and err.file.endswith("recipe.yaml")
    assert err.line == line
    assert err.step == step
    assert err.key == key
    assert words in str(err)
    assert f"recipe.yaml:{line}: step {step}" in str(err)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (GOOD.replace("version: 1", "version: 2"), "version must be 1"),
        (GOOD.replace("version: 1\n", ""), "version must be 1"),
        (GOOD + "output: x\n", "unknown key 'output'"),
        (GOOD.replace("{chunk_size: 100}", "{chunk_size: 0}"), "greater than or equal to 1"),
        (GOOD.replace("{chunk_size: 100}", "{workers: lots}"), "options.workers"),
        (GOOD.replace("  - dedup.exact\n", "  - [dedup.exact]\n"), "a step is an id"),
        ("version: 1\nsteps: [\n", "not valid YAML"),
        ("- just\n- a list\n", "a recipe is a mapping"),
    ],
)
def test_bad_recipes_fail_before_running(tmp_path: Path, text: str, words: str) -> None:
    assert words in str(error_of(tmp_path, text))


def test_bad_overrides(tmp_path: Path) -> None:
    assert "no step named 'nope'" in str(error_of(tmp_path, GOOD, ["nope.x=1"]))
    assert "expected STEP.PARAM=VALUE" in str(error_of(tmp_path, GOOD, ["max"]))
    assert "unknown parameter" in str(error_of(tmp_path, GOOD, ["short_users.mx=1"]))


def test_file_parameters_are_relative_to_the_recipe(tmp_path: Path) -> None:
    data = {
        "version": 1,
        "inputs": ["in.jsonl"],
        "outputs": ["out.jsonl"],
        "steps": [
            {"decontaminate": {"eval_files": ["evals/mmlu.jsonl", "/abs/eval.jsonl"]}},
            {"dedup.semantic": {"cache_dir": ".cache"}},
        ],
    }
    recipe = parse_recipe(data, base_dir=tmp_path)
    decontam, semantic = (s.params for s in recipe.steps)
    assert [f.path for f in decontam.eval_files] == [  # type: ignore[attr-defined]
        str(tmp_path / "evals/mmlu.jsonl"),
        "/abs/eval.jsonl",
    ]
    assert semantic.cache_dir == str(tmp_path / ".cache")  # type: ignore[attr-defined]
