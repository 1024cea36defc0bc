"""dedup.minhash: shingles, LSH parameters, clusters, keep policy, marks, and runs."""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.jobs import dedup
from ftprep.record import Record
from ftprep.steps.base import Mark, Reject, Signed
from ftprep.steps.dedup.minhash import (
    MinHashDeduplicator,
    lsh_params,
    minhash_matrix,
    union_find,
)
from ftprep.steps.dedup.shingles import shingle_hashes

WORDS = st.lists(st.sampled_from(["a", "b", "cc", "dé", "漢字", "e"]), max_size=9)


def _word_shingles(words: list[str], n: int) -> set[str]:
    if not words:
        return set()
    if len(words) < n:
        return {" ".join(words)}
    return {" ".join(words[k : k + n]) for k in range(len(words) - n + 1)}


@given(st.lists(WORDS, min_size=1, max_size=6), st.integers(1, 4))
@settings(max_examples=300, deadline=None)
def test_shingle_hashes_stand_for_shingle_sets(texts: list[list[str]], n: int) -> None:
    """Equal hash sets exactly when the word n-gram sets are equal, and one hash per distinct
    shingle (no collisions at this size)."""
    hashes, offsets = shingle_hashes([" ".join(t) for t in texts], n)
    assert len(offsets) == len(texts) + 1
    sets = [set(hashes[offsets[i] : offsets[i + 1]].tolist()) for i in range(len(texts))]
    truth = [_word_shingles(t, n) for t in texts]
    for i, j in combinations(range(len(texts)), 2):
        assert (sets[i] == sets[j]) is (truth[i] == truth[j])
    for got, want in zip(sets, truth, strict=True):
        assert len(got) == len(want)


def test_char_shingles_and_determinism() -> None:
    hashes, offsets = shingle_hashes(["abcdef", "", "xbcdy", "ab"], 3, "char")
    assert offsets.tolist() == [0, 4, 4, 7, 8]
    assert hashes[1] == hashes[offsets[2] + 1]  # "bcd" in both
    again, _ = shingle_hashes(["abcdef", "", "xbcdy", "ab"], 3, "char")
    assert (hashes == again).all()


def test_lsh_parameters_match_datasketch() -> None:
    # datasketch.lsh._optimal_param(threshold, num_perm, 1 - w, w), datasketch 2.0
    assert lsh_params(0.8, 128, 0.5) == (9, 13)
    assert lsh_params(0.5, 128, 0.5) == (25, 5)
    assert lsh_params(0.9, 256, 0.5) == (9, 28)
    assert lsh_params(0.7, 64, 0.5) == (8, 8)
    assert lsh_params(0.8, 128, 0.9) == (14, 9)
    assert lsh_params(0.7, 128, 0.9) == (20, 6)


@given(st.integers(1, 30), st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29))))
@settings(max_examples=200, deadline=None)
def test_union_find_matches_a_reference(n: int, raw: list[tuple[int, int]]) -> None:
    pairs = np.array([(a, b) for a, b in raw if a < n and b < n] or np.zeros((0, 2)), np.int64)
    roots = union_find(n, pairs.reshape(-1, 2))
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs.reshape(-1, 2).tolist():
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    assert roots.tolist() == [find(x) for x in range(n)]


def test_estimates_track_jaccard() -> None:
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(3000)]
    base = [rng.choice(vocab) for _ in range(300)]
    edited = list(base)
    for k in rng.sample(range(300), 12):
        edited[k] = rng.choice(vocab)
    texts = [" ".join(base), " ".join(edited)]
    true = len(_word_shingles(base, 5) & _word_shingles(edited, 5)) / len(
        _word_shingles(base, 5) | _word_shingles(edited, 5)
    )
    values = minhash_matrix(texts, num_perm=256)
    assert abs((values[0] == values[1]).mean() - true) < 0.1


def _chat(user: str, reply: str, rid: str, **meta: object) -> Record:
    record = Record.from_dict(
        {
            "messages": [
                {"role": "system", "content": "You are the support assistant of Acme."},
                {"role": "user", "content": user},
                {"role": "assistant", "content": reply},
            ],
            "metadata": meta,
        }
    )
    record.id = rid
    return record


def _planted(seed: int = 3) -> tuple[list[Record], set[frozenset[str]]]:
    """Unrelated chats, each original followed later by a few light edits of it."""
    rng = random.Random(seed)
    vocab = [f"{rng.choice('bcdfgklmnprst')}{rng.choice('aeiou')}{i}" for i in range(4000)]
    records: list[Record] = []
    truth: set[frozenset[str]] = set()
    for c in range(60):
        words = [rng.choice(vocab) for _ in range(rng.randint(80, 160))]
        user = " ".join(rng.choice(vocab) for _ in range(12))
        records.append(_chat(user, " ".join(words), f"c{c}", rating=rng.randint(1, 5)))
        if c % 3 == 0:
            continue
        members = [f"c{c}"]
        for v in range(rng.randint(1, 3)):
            copy = list(words)
            for k in rng.sample(range(len(copy)), max(1, len(copy) // 50)):
                copy[k] = rng.choice(vocab)
            rid = f"c{c}v{v}"
            records.append(_chat(user.upper(), "  ".join(copy), rid, rating=rng.randint(1, 5)))
            members.append(rid)
        truth |= {frozenset(p) for p in combinations(members, 2)}
    rng.shuffle(records)
    return records, truth


def _decide(step: MinHashDeduplicator, records: list[Record]) -> list[tuple[int, object]]:
    half = len(records) // 2
    shards = [
        Signed(
            k, [f"in:{i}" for i in range(len(part))], [r.id for r in part], tuple(step.sign(part))
        )
        for k, part in enumerate((records[:half], records[half:]))
    ]
    return [(p.shard * half + p.item, outcome) for p, outcome in step.decide_shards(shards)]


def test_planted_near_duplicates_are_found_and_clustered() -> None:
    records, truth = _planted()
    step = MinHashDeduplicator(threshold=0.7)
    outcomes = _decide(step, records)
    kept_of: dict[str, str] = {}
    for index, outcome in outcomes:
        rid = records[index].id
        assert rid is not None
        if isinstance(outcome, Reject):
            assert outcome.code == "near_duplicate" and "estimated similarity" in (
                outcome.detail or ""
            )
            kept_of[rid] = outcome.value
        else:
            assert isinstance(outcome, Mark)
            assert outcome.metadata["near_dup"]["cluster"] == rid
            kept_of[rid] = rid
    clusters: dict[str, set[str]] = {}
    for rid, kept in kept_of.items():
        clusters.setdefault(kept, set()).add(rid)
    found = {frozenset(p) for members in clusters.values() for p in combinations(members, 2)}
    assert found == truth
    sizes = {rid: len(members) for rid, members in clusters.items()}
    for index, outcome in outcomes:
        if isinstance(outcome, Mark):
            assert outcome.metadata["near_dup"]["size"] == sizes[records[index].id]


def test_keep_policy_picks_within_a_cluster() -> None:
    records, _ = _planted()
    outcomes = _decide(MinHashDeduplicator(threshold=0.7, keep="rating"), records)
    by_id = {r.id: r for r in records}
    for index, outcome in outcomes:
        if isinstance(outcome, Reject):
            kept = by_id[outcome.value]
            assert kept.metadata["rating"] >= records[index].metadata["rating"]


def test_a_run_marks_keeps_and_is_the_same_for_any_worker_count(tmp_path: Path) -> None:
    records, _ = _planted(seed=9)
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r.to_dict()) + b"\n" for r in records * 30))
    outputs = []
    for workers in (1, 2):
        dst = tmp_path / f"out{workers}.jsonl"
        result = dedup(
            src,
            dst,
            method="minhash",
            params={"threshold": 0.7},
            workers=workers,
            overrides=["options.chunk_size=97"],
        )
        assert result.read == result.written + result.rejected == len(records) * 30
        outputs.append((dst.read_bytes(), (tmp_path / f"out{workers}.rejects.jsonl").read_bytes()))
    assert outputs[0] == outputs[1]
    kept = [orjson.loads(line) for line in outputs[0][0].splitlines()]
    assert len(kept) == 60  # one per planted cluster: every record has 29 exact copies
    assert sum(k["metadata"]["near_dup"]["size"] for k in kept) == len(records) * 30
    rejects = [orjson.loads(line) for line in outputs[0][1].splitlines()]
    kept_ids = {k["id"] for k in kept}
    assert {r["value"] for r in rejects} == kept_ids  # each names the record kept


@pytest.mark.parametrize("scope", ["user", "assistant"])
def test_scopes(scope: str) -> None:
    a = _chat("Where is my order, it has been two weeks now?", "It ships today.", "a")
    b = _chat("Where is my order, it has been two weeks now?", "A refund is on its way.", "b")
    outcomes = _decide(MinHashDeduplicator(scope=scope, ngram=3), [a, b])
    dropped = [i for i, o in outcomes if isinstance(o, Reject)]
    assert dropped == ([1] if scope == "user" else [])
