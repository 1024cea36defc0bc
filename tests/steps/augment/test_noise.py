"""``augment.noise`` and ``ftprep augment``: seeded informal variants that name their parent,
stay valid, are counted as added, and follow their parent into its split."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson

from ftprep.engine import parse_recipe, run
from ftprep.engine.layout import RunLayout
from ftprep.record import Record
from ftprep.steps.augment.noise import NoiseAugmenter

TEXT = (
    "Hello, could you please tell me about your refund policy? I don't know where to look. "
    "My email is jo.doe@example.com, order 12345, see https://acme.example/refunds. "
    "Run `git status --short` and paste:\n```\nTraceback (most recent call last):\n```"
)


def record(text: str = TEXT, rid: str | None = "a") -> Record:
    row: dict[str, Any] = {
        "messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "Sure."}]
    }
    if rid is not None:
        row["id"] = rid
    return Record.from_dict(row)


def test_variants_are_noisy_but_keep_code_numbers_emails_and_links() -> None:
    step = NoiseAugmenter(n=3, rate=0.3)
    step.ensure_setup()
    out = step.transform(record())
    assert isinstance(out, list) and len(out) == 4 and out[0] is not None
    original, *variants = out
    assert isinstance(original, Record) and original.messages[0].content == TEXT
    for k, v in enumerate(variants, 1):
        assert isinstance(v, Record)
        text = v.messages[0].content
        assert isinstance(text, str) and text != TEXT
        assert v.id == f"a#noise-{k}" and v.metadata["parent_id"] == "a"
        assert v.metadata["augment"]["kind"] == "noise"
        for kept in (
            "jo.doe@example.com",
            "12345",
            "https://acme.example/refunds",
            "`git status --short`",
            "Traceback (most recent call last):",
        ):
            assert kept in text
        assert v.messages[1].content == "Sure."  # replies kept
        assert (
            text == text.lower().replace("`git status --short`", "`git status --short`")
            or "T" in text
        )
    again = NoiseAugmenter(n=3, rate=0.3)
    again.ensure_setup()
    assert [r.to_dict() for r in again.transform(record()) if isinstance(r, Record)] == [
        r.to_dict() for r in out if isinstance(r, Record)
    ]


def test_each_kind_alone() -> None:
    rng_text = "Please tell me about your plan. I don't know because you are busy!"
    for kind, check in (
        (
            "abbreviations",
            lambda t: any(w in t.split() for w in ("pls", "abt", "ur", "idk", "bc", "u", "r")),
        ),
        ("casing", lambda t: t == rng_text.lower()),
        ("punctuation", lambda t: "'" not in t and not t.endswith("!")),
        ("typos", lambda t: t != rng_text and len(t.split()) == len(rng_text.split())),
    ):
        step = NoiseAugmenter(kinds=[kind], rate=1.0)
        text = step.noisy(rng_text, random.Random(1))
        assert check(text), (kind, text)


def test_a_recipe_counts_variants_as_added_and_splits_keep_families(tmp_path: Path) -> None:
    """Half the records have ids, half not (their variants name them by file:line); replies are
    unique, so a family is the records sharing a reply."""
    src = tmp_path / "chats.jsonl"
    rows = []
    for i in range(300):
        row: dict[str, Any] = {
            "messages": [
                {"role": "user", "content": f"Could you please tell me about order {i}? Thanks."},
                {"role": "assistant", "content": f"Order {i} ships tomorrow."},
            ]
        }
        if i % 2:
            row["id"] = f"c{i}"
        rows.append(orjson.dumps(row))
    src.write_bytes(b"\n".join(rows) + b"\nnot json\n")
    steps = [{"augment.noise": {"n": 2, "seed": 7}}, {"split": {"ratios": [0.5, 0.5]}}]
    results = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        recipe = parse_recipe(
            {
                "version": 1,
                "inputs": [{"path": str(src)}],
                "output_dir": str(out),
                "outputs": [{"path": str(out / "{split}.jsonl")}],
                "options": {"chunk_size": 40},
                "steps": steps,
            }
        )
        results.append(run(recipe, workers=workers, layout=RunLayout.in_folder(recipe)))
        families: dict[str, set[str]] = {}
        for name in ("train", "test"):
            for line in (out / f"{name}.jsonl").read_bytes().splitlines():
                reply = orjson.loads(line)["messages"][1]["content"]
                families.setdefault(reply, set()).add(name)
        assert len(families) == 300
        assert all(len(splits) == 1 for splits in families.values())
    a, b = results
    assert (a.read, a.added, a.written, a.rejected) == (301, 600, 900, 1)
    assert (a.read, a.added, a.written, a.rejected) == (b.read, b.added, b.written, b.rejected)
    for name in ("train", "test"):
        assert (tmp_path / "w1" / f"{name}.jsonl").read_bytes() == (
            tmp_path / "w2" / f"{name}.jsonl"
        ).read_bytes()


def test_synonyms_keep_case_and_protected_tokens() -> None:
    from ftprep.steps.augment.synonyms import SynonymAugmenter

    text = "Please HELP me fix a Problem with order 12345 at help@acme.example: `fix --help`."
    step = SynonymAugmenter(n=2, rate=1.0, extra={"please": ["kindly"]})
    step.ensure_setup()
    out = step.transform(record(text))
    assert isinstance(out, list) and len(out) == 3
    for v in out[1:]:
        assert isinstance(v, Record) and v.metadata["augment"] == {"kind": "synonyms", "rate": 1.0}
        new = v.messages[0].content
        assert isinstance(new, str)
        assert new.startswith("Kindly ") and ("ASSIST" in new or "SUPPORT" in new)
        assert ("Issue" in new or "Trouble" in new) and "12345" in new
        assert "help@acme.example" in new and "`fix --help`" in new
