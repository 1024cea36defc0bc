"""``collect.annotations``: several annotators per item, resolved, rejected or adjudicated."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.collect.annotations import AnnotationSpec
from ftprep.engine import parse_recipe, run

EXPORT = """item_id,annotator,label,prompt,response,edited
q1,ann,5,How do I reset my password?,Go to Settings > Security.,
q1,bob,5,How do I reset my password?,Go to Settings > Security.,
q1,cat,4,How do I reset my password?,Go to Settings > Security.,
q2,ann,1,What is 2+2?,5,4
q2,bob,5,What is 2+2?,5,4
q2,cat,3,What is 2+2?,5,
q3,ann,2,What is 3+3?,7,6
q3,bob,1,What is 3+3?,7,6
q3,cat,2,What is 3+3?,7,
q4,ann,4,Hello,Hi!,
,bob,4,Hello,Hi!,
"""


def read(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def test_ratings_are_resolved_by_median_edits_by_majority_and_the_rest_adjudicated(
    tmp_path: Path,
) -> None:
    src = tmp_path / "export.csv"
    src.write_text(EXPORT)
    out = tmp_path / "resolved.jsonl"
    result = CliRunner().invoke(
        cli,
        ["collect", "annotations", str(src), str(out), "--prompt-field", "prompt",
         "--response-field", "response", "--reply-field", "edited", "--level", "ordinal",
         "--scale", "1,5", "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "11 rows = 6 in 2 conversations + 5 rejected" in result.output
    q1, q3 = read(out)
    assert q1["metadata"]["annotation"]["label"] == 5  # the median of 5, 5, 4
    assert q1["metadata"]["annotation"]["agreement"] == pytest.approx(1 - 0.5 / 3, abs=1e-4)
    # q3: ratings 2, 1, 2 agree enough; two of its three annotators wrote the same edit
    assert q3["messages"][-1]["content"] == "6"
    assert q3["metadata"]["annotation"]["original_reply"] == "7"
    rejects = read(tmp_path / "resolved.rejects.jsonl")
    assert sorted((r["code"], r["line"]) for r in rejects) == [
        ("low_agreement", 5), ("low_agreement", 6), ("low_agreement", 7),
        ("no_item", 12), ("too_few_annotators", 11),
    ]  # fmt: skip
    (q2,) = read(tmp_path / "resolved.jsonl.adjudicate.jsonl")[:1]
    assert q2["item"] == "q2" and q2["labels"] == {"ann": 1, "bob": 5, "cat": 3}
    stats = orjson.loads((tmp_path / "resolved.stats.json").read_bytes())["collect"][0]
    agreement = stats["agreement"]
    assert agreement["level"] == "ordinal" and set(agreement["pairs"]) == {
        "ann~bob", "ann~cat", "bob~cat",
    }  # fmt: skip
    assert stats["to_adjudicate"] == 2  # q2 (disagreement) and q4 (one annotator)


def test_classes_need_a_majority_and_the_recipe_form(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "who": "x", "tag": "spam", "messages": [
            {"role": "user", "content": "Buy now"}, {"role": "assistant", "content": "No"}]},
        {"id": "a", "who": "y", "tag": "spam"},
        {"id": "b", "who": "x", "tag": "ham", "messages": [
            {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
        {"id": "b", "who": "y", "tag": "spam"},
    ]  # fmt: skip
    (tmp_path / "labels.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    data = {
        "version": 1,
        "inputs": [{"annotations": {
            "path": "labels.jsonl", "item": "id", "annotator": "who", "label": "tag",
            "messages": "messages", "threshold": 0.5, "adjudicate": "review/adjudicate.jsonl"}}],
        "outputs": ["labelled.jsonl"],
    }  # fmt: skip
    result = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    (collected,) = result.collected
    assert (collected["records"], collected["reasons"]) == (1, {"low_agreement": 2})
    (a,) = read(tmp_path / "out/labelled.jsonl")
    assert a["metadata"]["annotation"]["label"] == "spam"
    assert [x["item"] for x in read(tmp_path / "review/adjudicate.jsonl")] == ["b"]


def test_the_spec_says_what_is_missing() -> None:
    with pytest.raises(ValueError, match="messages"):
        AnnotationSpec(path="x")
    with pytest.raises(ValueError, match="median needs ordered labels"):
        AnnotationSpec(path="x", messages="m", resolve="median")
