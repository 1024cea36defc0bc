"""Write synthetic chat JSONL with planted near-duplicate clusters, and its ground truth.

    .venv/bin/python bench/gen_dups.py --records 1000000 --seed 0 \
        --out bench/data/dups_1000000.jsonl

About 70% of the records are unique; the rest form clusters of 2-6 records: an original plus
variants (``exact`` copies, ``case_ws`` case and whitespace changes, ``edit_5``/``edit_15``/
``edit_30`` word edits, ``truncated`` replies). Records are shuffled, so cluster members lie far
apart. ``PATH.truth.json`` lists each cluster's record ids (original first) and variant kinds, and
every within-cluster pair with its true Jaccard similarity of word 5-gram shingle sets
(see ``dup_truth.py``: ``shingles`` over ``conversation_text``; ``truth_pairs`` gives the pairs
a near-duplicate step at threshold T should find).

Text is drawn from a Zipf-weighted vocabulary (about 120 English function words, 150 domain words
and 60,000 made-up words) with shared boilerplate: system prompts from :mod:`ftprep.demo.pools`,
greetings, closings and slot-filled template sentences. Unrelated records share a few shingles but
never enough to look alike; ``--check`` verifies that on a sample.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import math
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from dup_truth import (
    NGRAM,
    VARIANTS,
    Messages,
    Truth,
    check_sample,
    conversation_text,
    jaccard,
    truth_path,
    variant_stats,
    word_ngrams,
)
from ftprep.demo import pools

EDIT_RATES = {"edit_5": 0.05, "edit_15": 0.15, "edit_30": 0.30}
CLUSTERED_SHARE = 0.3
CLUSTER_SIZES = (2, 6)
TRUNCATE = (0.10, 0.30)  # share of the last assistant reply's words dropped
REPLY_WORDS = (60, 300)
MB = 1024 * 1024
BUFFER = 16 * MB
BLOCK = 1 << 18  # words drawn and rendered per numpy pass

_VOCAB_SEED = 20240917
_SYNTHETIC_WORDS = 60_000
_FUNCTION_SHARE = 0.4
_SENTENCE_WORDS = 13  # mean sentence length
_COMMA_RATE = 0.06
_PARAGRAPH_RATE = 0.2  # share of sentence ends that close a paragraph
_FORMS = 6  # a word id is base * _FORMS + form: plain, Capitalized, "w.", "w,", "w?", "w.¶"
_LUT_BITS = 20  # Zipf sampling through a lookup table of 2**20 quantiles
_LUT_MASK = (1 << _LUT_BITS) - 1
_SPACES = ("", " ", "  ", "\n", " \t", "\n\n", "   ")
_BLOCKED = frozenset(("shit", "fuck", "dick", "cock", "tit", "cum", "tits", "shat"))
_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
_SPAN = 366 * 86400
_RATINGS = (1,) * 5 + (2,) * 6 + (3,) * 12 + (4,) * 30 + (5,) * 47

_FUNCTION_TEXT = (
    "the a to of and in is it you that for on with as this be are can or your if not will have "
    "we by at from but do so an was all my I there what when which then they also just need "
    "should more one about any would how into out up our us me no yes some each other only after "
    "before over again still very too here where why who because while both same new first last "
    "most many much these those their them its has had been being were did does get got make "
    "sure see let right now once even well back down off through between under"
)
_DOMAIN_TEXT = (
    "order account device app setting update payment refund delivery network password screen "
    "battery cable router firmware signal camera speaker light schedule invoice subscription "
    "plan warranty return package address email browser server error message connection storage "
    "backup file folder report dashboard profile user team project release version feature issue "
    "ticket request response customer support service store product price discount coupon cart "
    "checkout shipping carrier tracking label code function variable list loop class method "
    "module library script database query table index column row value key string number date "
    "time zone format system memory disk cache token model data test build deploy config option "
    "window button page link form field menu tab icon sensor hub plug bulb thermostat doorbell "
    "vacuum filter mode timer alert notification permission login session card bank charge fee "
    "credit balance bill statement tax receipt item box size color stock warehouse pickup week "
    "month day hour minute morning evening problem step guide manual reset restart install"
)
FUNCTION_WORDS = tuple(_FUNCTION_TEXT.split())
DOMAIN_WORDS = tuple(_DOMAIN_TEXT.split())
SYSTEM_PROMPTS = (
    pools.SUPPORT_PROMPT_V1,
    pools.CODING_PROMPT,
    pools.GENERAL_PROMPT,
    "You are a helpful assistant. Answer the user's question accurately and concisely.",
    "You are an expert technical writer. Explain things step by step in plain language.",
)
USER_OPENERS = (
    "Hi,", "Hello!", "Hey there,", "Hi, I have a question.", "Can you help me with something?",
    "Quick question:", "Good morning,", "Hello, I need some help.", "I'm not sure who to ask, but",
)  # fmt: skip
FOLLOW_OPENERS = ("Thanks! Also,", "One more thing:", "Got it.", "Okay, and", "Also,", "Great.")
GREETINGS = (
    "Thanks for reaching out!", "Happy to help with that.", "Great question!",
    "Sure, here is what you need to know.", "Hi there, thanks for your message.",
    "I understand how frustrating that can be.", "Of course!", "Thanks for the details.",
    "Good question, let me explain.", "Absolutely, I can help with that.",
)  # fmt: skip
CLOSINGS = (
    "Let me know if you have any other questions.",
    "I hope this helps! Is there anything else I can do for you?",
    "Feel free to reach out if you need anything else.",
    "Hope that clears things up.",
    "If anything is still unclear, just reply here and I will take another look.",
    "Have a great day!",
    "Thanks for your patience while we sorted this out.",
)


@dataclass(frozen=True)
class _Vocab:
    chars: np.ndarray  # every piece (a word form and the whitespace after it), as ASCII bytes
    piece_start: np.ndarray  # piece id (base * _FORMS + form) -> offset in ``chars``
    piece_len: np.ndarray
    function_lut: np.ndarray  # 2**16 quantiles -> function word base id
    content_lut: np.ndarray  # 2**20 quantiles -> content word base id
    content: tuple[str, ...]  # plain content words, by Zipf rank


@functools.cache
def _vocab() -> _Vocab:
    """Function words, then domain words interleaved with made-up words (fixed, seed-free)."""
    content: list[str] = []
    domain = iter(DOMAIN_WORDS)
    for i, word in enumerate(_made_up_words()):
        if i % 2 == 0 and (d := next(domain, None)) is not None:
            content.append(d)
        content.append(word)
    pieces = [
        piece.encode("ascii")
        for w in (*FUNCTION_WORDS, *content)
        for piece in (f"{w} ", f"{w[0].upper()}{w[1:]} ", f"{w}. ", f"{w}, ", f"{w}? ", f"{w}.\n\n")
    ]
    lens = np.array([len(p) for p in pieces], dtype=np.int32)
    content_w = 1.0 / (np.arange(len(content)) + 10.0) ** 1.1  # Zipf-Mandelbrot: flatter top
    return _Vocab(
        chars=np.frombuffer(b"".join(pieces), dtype=np.uint8),
        piece_start=np.cumsum(lens) - lens,
        piece_len=lens,
        function_lut=_lut(1.0 / np.arange(1, len(FUNCTION_WORDS) + 1), 16),
        content_lut=_lut(content_w, _LUT_BITS) + len(FUNCTION_WORDS),
        content=tuple(content),
    )


def _made_up_words() -> list[str]:
    """``_SYNTHETIC_WORDS`` distinct pronounceable non-words of 1-3 syllables."""
    rng = random.Random(_VOCAB_SEED)
    onsets = [*"bcdfghjklmnprstvwz", "br", "cr", "dr", "fl", "gr", "pl", "st", "tr", "sh", "ch"]
    nuclei = [*"aeiou" * 4, "ai", "ea", "ou", "io"]
    codas = ["", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"]
    taken = {w.casefold() for w in (*FUNCTION_WORDS, *DOMAIN_WORDS)} | _BLOCKED
    made: list[str] = []
    while len(made) < _SYNTHETIC_WORDS:
        syllables = rng.choice((1, 2, 2, 2, 3))
        word = "".join(
            rng.choice(onsets) + rng.choice(nuclei) + rng.choice(codas) for _ in range(syllables)
        )
        if word not in taken:
            taken.add(word)
            made.append(word)
    return made


def _lut(weights: np.ndarray, bits: int) -> np.ndarray:
    """Inverse CDF at the midpoints of ``2**bits`` equal steps: index by uniform bits to sample."""
    cdf = np.cumsum(weights) / weights.sum()
    quantiles = (np.arange(1 << bits) + 0.5) / (1 << bits)
    return np.minimum(np.searchsorted(cdf, quantiles), len(weights) - 1).astype(np.int32)


class _WordStream:
    """Random text rendered in numpy blocks of ``BLOCK`` words and handed out in order."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.text = ""
        self.offsets = np.zeros(1, dtype=np.int64)
        self.pos = 0

    def sentences(self, k: int, last: str = ".") -> str:
        """``k`` words: the first capitalized, the last ending in ``last``."""
        if self.pos + k >= len(self.offsets):
            self._render()  # the rest of the old block is dropped
        a, b = self.offsets[self.pos], self.offsets[self.pos + k]
        self.pos += k
        t = self.text[a:b].rstrip().rstrip(".,?")
        return t[0].upper() + t[1:] + last

    def _render(self) -> None:
        """Draw ``BLOCK`` words (one 64-bit draw each picks word and sentence breaks); join them."""
        v = _vocab()
        r = self.rng.bit_generator.random_raw(BLOCK)
        r2 = self.rng.bit_generator.random_raw(BLOCK)
        content = v.content_lut[r & _LUT_MASK]
        function = v.function_lut[(r >> 24) & 0xFFFF]
        base = np.where((r >> 40) & 0x3FF < round(_FUNCTION_SHARE * 1024), function, content)
        end = (r >> 50) & 0x3FF < round(1024 / _SENTENCE_WORDS)
        start = np.roll(end, 1)
        end &= ~start
        form = np.where(r2 & 0x3FF < round(_COMMA_RATE * 1024), 3, 0)
        form[start] = 1
        form[end] = np.where((r2[end] >> 10) & 0x3FF < round(_PARAGRAPH_RATE * 1024), 5, 2)
        ids = base * _FORMS + form
        lens = v.piece_len[ids]
        self.offsets = np.zeros(BLOCK + 1, dtype=np.int32)
        np.cumsum(lens, out=self.offsets[1:])
        shift = np.repeat(v.piece_start[ids] - self.offsets[:-1], lens)
        shift += np.arange(self.offsets[-1], dtype=np.int32)
        self.text = v.chars[shift].tobytes().decode("ascii")
        self.pos = 0


def _template(rng: random.Random) -> str:
    """A slot-filled boilerplate sentence, as support replies have."""
    t = rng.randrange(4)
    if t == 0:
        return (
            f"Your order A{rng.randrange(10000, 99999)} was shipped on {rng.choice(pools.MONTHS)} "
            f"{rng.randint(1, 28)} with {rng.choice(pools.CARRIERS)} and should arrive within "
            f"{rng.randint(2, 7)} business days."
        )
    if t == 1:
        return (
            f"You can find this under Settings > {rng.choice(('Account', 'Devices', 'Privacy'))} "
            f"in the app on your {rng.choice(pools.DEVICES)}."
        )
    if t == 2:
        return (
            f"If the problem persists after {rng.randint(2, 30)} minutes, restart the "
            f"{rng.choice(pools.GADGETS)} and try again."
        )
    return (
        f"I have passed this on to our specialist team, and {rng.choice(pools.FIRST_NAMES)} will "
        f"follow up within {rng.randint(2, 48)} hours."
    )


def _reply(words: _WordStream, rng: random.Random, lo: int, hi: int) -> str:
    text = words.sentences(lo + int((hi - lo) * rng.random() ** 2))  # mean lo + (hi - lo) / 3
    if rng.random() < 0.3:
        text = f"{text} {_template(rng)}"
    if rng.random() < 0.5:
        text = f"{rng.choice(GREETINGS)} {text}"
    if rng.random() < 0.5:
        text = f"{text}\n\n{rng.choice(CLOSINGS)}"
    return text


def _user(
    words: _WordStream, rng: random.Random, lo: int, hi: int, openers: tuple[str, ...]
) -> str:
    text = words.sentences(rng.randint(lo, hi), "?" if rng.random() < 0.6 else ".")
    return f"{rng.choice(openers)} {text}" if rng.random() < 0.4 else text


def _original(words: _WordStream, rng: random.Random) -> Messages:
    """A fresh conversation: system prompt (75%), user, assistant, maybe a second exchange."""
    messages: Messages = []
    r = rng.random()
    if r < 0.75:
        system = pools.MAIN_SUPPORT_PROMPT if r < 0.45 else rng.choice(SYSTEM_PROMPTS)
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": _user(words, rng, 8, 45, USER_OPENERS)})
    messages.append({"role": "assistant", "content": _reply(words, rng, *REPLY_WORDS)})
    if rng.random() < 0.25:
        messages.append({"role": "user", "content": _user(words, rng, 5, 30, FOLLOW_OPENERS)})
        messages.append({"role": "assistant", "content": _reply(words, rng, 30, 150)})
    return messages


def _case_ws(text: str, rng: random.Random) -> str:
    """Change the case of 15% of the words and the whitespace after 10% (same normalized text)."""
    words = text.split(" ")
    n, rand = len(words), rng.random
    for _ in range(max(1, n * 15 // 100)):
        i = int(rand() * n)
        words[i] = (words[i].upper, words[i].lower, words[i].title)[int(rand() * 3)]()
    for _ in range(max(1, n // 10)):
        i = int(rand() * n)
        words[i] += _SPACES[int(rand() * len(_SPACES))]
    head, tail = _SPACES[int(rand() * len(_SPACES))], _SPACES[int(rand() * len(_SPACES))]
    return head + " ".join(words) + tail


def _edit(texts: list[str], rate: float, rng: random.Random) -> list[str]:
    """Replace, insert or delete random words: ``rate`` of each text's words (at least one)."""
    content, rand = _vocab().content, rng.random
    size = len(content)
    out = []
    for text in texts:
        seg = text.split()
        for _ in range(max(1, round(rate * len(seg)))):
            r = rand() * 3  # the operation, then (fraction) where
            op = int(r)
            pos = int((r - op) * len(seg))
            word = content[int(size ** rand()) - 1]  # log-uniform rank: Zipf-like
            if op == 0 or (op == 2 and len(seg) <= NGRAM):
                seg[pos] = word
            elif op == 1:
                seg.insert(pos, word)
            else:
                del seg[pos]
        out.append(" ".join(seg))
    return out


def _truncate(text: str, rng: random.Random) -> str:
    """Drop the last 10-30% of the words (cut at a word's end, whitespace kept)."""
    n = len(text.split())
    drop = n - max(1, math.ceil(n * (1.0 - rng.uniform(*TRUNCATE))))
    return text.rsplit(None, drop)[0] if drop else text


def _variant(kind: str, original: Messages, rng: random.Random) -> Messages:
    """A variant of ``original`` (never mutated); system prompts are left alone."""
    if kind == "exact":
        return original
    turns = [i for i, m in enumerate(original) if m["role"] in ("user", "assistant")]
    texts = [original[i]["content"] for i in turns]
    if kind == "case_ws":
        texts = [_case_ws(t, rng) for t in texts]
    elif kind in EDIT_RATES:
        texts = _edit(texts, EDIT_RATES[kind], rng)
    elif kind == "truncated":
        texts[-1] = _truncate(texts[-1], rng)
    else:
        raise ValueError(f"unknown variant {kind!r}")
    out = [dict(m) for m in original]
    for i, text in zip(turns, texts, strict=True):
        out[i]["content"] = text
    return out


def _cluster_sizes(n: int, rng: random.Random) -> list[int]:
    """Sizes in 2-6 adding up to about ``CLUSTERED_SHARE`` of ``n``."""
    left, sizes = round(n * CLUSTERED_SHARE), []
    while left >= 2:
        k = min(rng.randint(*CLUSTER_SIZES), left)
        if left - k == 1:
            k = k + 1 if k < CLUSTER_SIZES[1] else k - 1
        sizes.append(k)
        left -= k
    return sizes


@dataclass
class _Cluster:
    """A planted cluster not yet fully written; its members' messages wait in the spill file."""

    cid: str
    kinds: list[str]
    spans: list[tuple[int, int]]  # offset and length of each member's messages JSON
    left: int


class _Planter:
    """Plants a cluster when the first of its members is written: makes the original and the
    variants, records their ids and true Jaccard in ``truth``, and parks the members' messages in an
    unnamed spill file, so memory does not grow with the clusters still waiting for members.
    """

    def __init__(
        self, n: int, seed: int, perm: np.ndarray, rng: random.Random, spill: BinaryIO
    ) -> None:
        self.seed = seed
        self.sizes = _cluster_sizes(n, rng)
        self.starts = [0, *itertools.accumulate(self.sizes)]
        self.clustered = self.starts[-1]  # slots below this are cluster members
        self.cluster_of = np.repeat(np.arange(len(self.sizes)), self.sizes)
        self.where = np.empty(n, dtype=np.int64)
        self.where[perm] = np.arange(n)  # slot -> position
        self.truth = Truth({}, {}, [], {})
        self.alive: dict[int, _Cluster] = {}
        self.spill = spill  # unbuffered, so that os.pread sees every write
        self.size = 0

    def member(self, slot: int, words: _WordStream, rng: random.Random) -> tuple[str, str, bytes]:
        """Cluster id, variant kind and messages JSON of the member in ``slot``."""
        c = int(self.cluster_of[slot])
        state = self.alive.get(c)
        if state is None:
            state = self.alive[c] = self._plant(c, words, rng)
        k = slot - self.starts[c]
        offset, length = state.spans[k]
        state.left -= 1
        if not state.left:
            del self.alive[c]
        return state.cid, state.kinds[k], os.pread(self.spill.fileno(), length, offset)

    def _plant(self, c: int, words: _WordStream, rng: random.Random) -> _Cluster:
        size, cid = self.sizes[c], f"c{c:06d}"
        original = _original(words, rng)
        kinds = ["original", *(rng.choice(VARIANTS) for _ in range(size - 1))]
        ids = [f"r{int(self.where[self.starts[c] + k]) + 1:07d}" for k in range(size)]
        texts: list[list[str]] = []
        sets: list[set[Any]] = []
        blobs: list[bytes] = []
        for k, kind in enumerate(kinds):
            messages = original
            if k:
                messages = _variant(kind, original, random.Random(f"{self.seed}/{c}/{k}"))
            words_k = conversation_text(messages).casefold().split()
            same = next((i for i, t in enumerate(texts) if t == words_k), None)  # exact, case_ws
            texts.append(words_k)
            sets.append(sets[same] if same is not None else word_ngrams(words_k))
            blobs.append(orjson.dumps(messages))
        for i, j in itertools.combinations(range(size), 2):
            self.truth.pairs.append((ids[i], ids[j], jaccard(sets[i], sets[j])))
        self.truth.clusters[cid] = ids
        self.truth.variants[cid] = kinds
        spans = []
        for blob in blobs:
            spans.append((self.size, len(blob)))
            self.size += len(blob)
        self.spill.write(b"".join(blobs))
        return _Cluster(cid, kinds, spans, size)


def generate(path: Path, n: int, seed: int) -> Truth:
    """Write ``n`` shuffled records to ``path`` and the truth to ``PATH.truth.json``."""
    rng, words = random.Random(seed), _WordStream(seed)
    perm = np.random.default_rng([seed, 1]).permutation(n)  # position -> slot
    tmp = path.with_name(path.name + ".tmp")
    with (
        tempfile.TemporaryFile(dir=path.parent, buffering=0) as spill,
        tmp.open("wb", buffering=BUFFER) as f,
    ):
        planter = _Planter(n, seed, perm, rng, spill)
        for chunk in range(0, n, 1 << 16):
            for pos, slot in enumerate(perm[chunk : chunk + (1 << 16)].tolist(), start=chunk):
                if slot < planter.clustered:
                    cid, kind, messages = planter.member(slot, words, rng)
                else:
                    cid, kind, messages = None, "original", orjson.dumps(_original(words, rng))
                f.write(_line(pos, messages, cid, kind, rng))
    tmp.replace(path)
    truth = planter.truth
    truth.params = {
        "records": n,
        "seed": seed,
        "clusters": len(planter.sizes),
        "clustered_records": planter.clustered,
        "unique_records": n - planter.clustered,
        "cluster_sizes": list(CLUSTER_SIZES),
        "variants": list(VARIANTS),
        "edit_rates": EDIT_RATES,
        "truncate": list(TRUNCATE),
        "ngram": NGRAM,
        "unit": "word",
        "normalization": "user+assistant contents joined by newline; casefold; split on whitespace",
    }
    truth_path(path).write_bytes(truth.to_json())
    return truth


def _line(pos: int, messages: bytes, cid: str | None, kind: str, rng: random.Random) -> bytes:
    """One JSONL line (what ``orjson.dumps`` of the record dict gives, plus a newline)."""
    created = time.gmtime(_EPOCH + int(rng.random() * _SPAN))
    metadata = {
        "truth_cluster": cid,
        "variant": kind,
        "rating": _RATINGS[int(rng.random() * len(_RATINGS))],
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", created),
    }
    return b'{"id":"r%07d","messages":%b,"metadata":%b}\n' % (
        pos + 1,
        messages,
        orjson.dumps(metadata),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="number of records")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    parser.add_argument(
        "--check", type=int, default=20_000, metavar="K", help="check the first K records (0: off)"
    )
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be >= 1")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    _vocab()
    start = time.perf_counter()
    truth = generate(args.out, args.records, args.seed)
    seconds = time.perf_counter() - start
    size = args.out.stat().st_size
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"records={args.records} clusters={len(truth.clusters)} "
        f"clustered={truth.params['clustered_records']} pairs={len(truth.pairs)} bytes={size} "
        f"seconds={seconds:.2f} records_per_s={args.records / seconds:,.0f} "
        f"avg_line={size / args.records:,.0f}B peak_rss={rss:,.0f}MB"
    )
    print("true Jaccard to the original, per variant:")
    for kind, s in variant_stats(truth).items():
        print(
            f"  {kind:<10} n={s['n']:>7} min={s['min']:.3f} median={s['median']:.3f} "
            f"max={s['max']:.3f} share>=0.8={s['share_ge_0.8']:.2f}"
        )
    if args.check:
        start = time.perf_counter()
        report = check_sample(args.out, args.check)
        report["seconds"] = round(time.perf_counter() - start, 2)
        print("cross-cluster check:", orjson.dumps(report).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
