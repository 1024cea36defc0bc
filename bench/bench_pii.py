"""Benchmark ftprep's PII detector against Presidio's pattern recognizers and scrubadub.

    .venv/bin/python bench/bench_pii.py --json bench/out/pii.json

Quality, per entity type, span level (precision, recall, F1), on

- ``presidio``: presidio-research's ``generated_small.json`` (100 texts) from
  ``../shared/data/presidio-research`` when present (labels mapped: EMAIL_ADDRESS -> email,
  PHONE_NUMBER -> phone, CREDIT_CARD -> credit_card, US_SSN -> us_ssn, IP_ADDRESS -> ip_address,
  IBAN_CODE -> iban, PERSON -> person, ADDRESS -> street_address);
- ``ftprep``: :func:`ftprep.demo.pii.generate_pii_texts` (chat turns with planted PII and
  near misses; ``--n`` texts, ``--seed``).

Match definitions: *strict* = same start and end; *overlap* = at least one shared character;
a prediction counts only against gold spans of the same type. A tool is scored only on the
types it claims to detect ("-" otherwise).

Speed: MB/s of UTF-8 text per core (``time.process_time``, so other processes on the machine
do not count), best of ``--repeat`` runs, on each dataset and on realistic chat turns from
:func:`ftprep.demo.iter_clean_chats` (``--chat-records`` conversations; most turns hold no
PII). Each run gets a fresh detector (ftprep caches the results of recent texts, which chat
data repeats: every conversation's system prompt). ftprep is also timed per conversation
(:meth:`PiiDetector.detect_many`), with only the six structured types, with the cache off,
and on the distinct turns only (the work the cache cannot save).

Peers (bench-only dependencies: ``pip install presidio-analyzer scrubadub``):

- presidio-patterns: EmailRecognizer, PhoneRecognizer, CreditCardRecognizer, UsSsnRecognizer,
  IbanRecognizer, IpRecognizer called directly with ``nlp_artifacts=None`` (no spaCy model, so
  no context boosting); every result with a score > 0 is kept (AnalyzerEngine's default
  threshold) and overlaps are resolved by score, then length. tldextract runs offline.
- scrubadub: ``Scrubber()`` with its default detectors; merged filth is split back into its
  parts; url/twitter filth has no ftprep type and is ignored, credential filth counts as
  ``secret``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ftprep.demo import iter_clean_chats
from ftprep.demo.pii import generate_pii_texts
from ftprep.pii import PiiDetector, PiiSpan, resolve_overlaps, score_spans

REPO = Path(__file__).resolve().parent.parent
PRESIDIO_DATA = REPO.parent / "shared" / "data" / "presidio-research" / "generated_small.json"
CORE = ("email", "phone", "credit_card", "us_ssn", "iban", "ip_address")
PRESIDIO_LABELS = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "credit_card",
    "US_SSN": "us_ssn",
    "IP_ADDRESS": "ip_address",
    "IBAN_CODE": "iban",
    "PERSON": "person",
    "ADDRESS": "street_address",
}
Sample = tuple[str, list[PiiSpan]]
Detect = Callable[[str], list[PiiSpan]]


class Tool:
    """A detector under test: a name, the types it claims, and a detect function. ``fresh``
    makes a new detect function with empty caches, so that a timing run does not start with
    the results of the previous one."""

    def __init__(
        self,
        name: str,
        types: Sequence[str],
        detect: Detect,
        fresh: Callable[[], Detect] | None = None,
    ) -> None:
        self.name, self.types, self.detect = name, tuple(types), detect
        self.fresh = fresh or (lambda: detect)


def ftprep_tool() -> Tool:
    det = PiiDetector()
    return Tool("ftprep", sorted(det.types), det.detect, lambda: PiiDetector().detect)


def presidio_tool() -> Tool | None:
    try:
        import tldextract
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            EmailRecognizer,
            IbanRecognizer,
            IpRecognizer,
            PhoneRecognizer,
            UsSsnRecognizer,
        )
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer
    except ImportError:
        return None
    offline = tldextract.TLDExtract(suffix_list_urls=())
    email_recognizer.tldextract = type("Offline", (), {"extract": staticmethod(offline)})
    recognizers = [
        cls()
        for cls in (
            EmailRecognizer,
            PhoneRecognizer,
            CreditCardRecognizer,
            UsSsnRecognizer,
            IbanRecognizer,
            IpRecognizer,
        )
    ]

    def detect(text: str) -> list[PiiSpan]:
        spans = []
        for rec in recognizers:
            for r in rec.analyze(text, rec.supported_entities, nlp_artifacts=None):
                kind = PRESIDIO_LABELS.get(r.entity_type)
                if kind is not None and r.score > 0:
                    spans.append(PiiSpan(r.start, r.end, kind, text[r.start : r.end], r.score))
        return _by_score(spans)

    return Tool("presidio-patterns", CORE, detect)


def scrubadub_tool() -> Tool | None:
    try:
        import scrubadub
    except ImportError:
        return None
    scrubber = scrubadub.Scrubber()
    kinds = {
        "email": "email",
        "phone": "phone",
        "credit_card": "credit_card",
        "social_security_number": "us_ssn",
        "credential": "secret",
    }

    def detect(text: str) -> list[PiiSpan]:
        spans = []
        for filth in scrubber.iter_filth(text):
            for part in getattr(filth, "filths", None) or [filth]:
                kind = kinds.get(part.type)
                if kind is not None:
                    spans.append(PiiSpan(part.beg, part.end, kind, part.text, 1.0))
        return _by_score(spans)

    return Tool("scrubadub", ("email", "phone", "credit_card", "us_ssn", "secret"), detect)


def _by_score(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Peers' overlapping results: the higher score wins, then the longer span."""
    kept: list[PiiSpan] = []
    for s in sorted(spans, key=lambda s: (-s.score, s.start - s.end)):
        if not any(s.overlaps(k) for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def load_presidio(path: Path) -> list[Sample]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    samples = []
    for row in rows:
        text = row["full_text"]
        gold = [
            PiiSpan(s["start_position"], s["end_position"], PRESIDIO_LABELS[s["entity_type"]],
                    s["entity_value"], 1.0)
            for s in row["spans"]
            if s["entity_type"] in PRESIDIO_LABELS
        ]  # fmt: skip
        samples.append((text, resolve_overlaps(gold) if gold else gold))
    return samples


def load_generated(n: int, seed: int) -> list[Sample]:
    return [
        (text, [PiiSpan(g.start, g.end, g.type, g.text, 1.0) for g in gold])
        for text, gold in generate_pii_texts(n, seed)
    ]


def chat_conversations(records: int, seed: int) -> list[list[str]]:
    convs = []
    for record in iter_clean_chats(records, seed=seed):
        turns = [m["content"] for m in record["messages"] if isinstance(m.get("content"), str)]
        convs.append(turns)
    return convs


def mb_per_s(
    fn: Callable[[Any], object],
    n_bytes: int,
    repeat: int,
    setup: Callable[[], Any] = lambda: None,
) -> float:
    """Best of ``repeat`` runs of ``fn(setup())``; ``setup`` (untimed) makes a fresh detector
    for each run: ftprep's result cache would otherwise serve every text of a later run."""
    best = float("inf")
    for _ in range(repeat):
        arg = setup()
        start = time.process_time()
        fn(arg)
        best = min(best, time.process_time() - start)
    return n_bytes / best / 1e6 if best > 0 else float("inf")


def evaluate(tools: list[Tool], samples: list[Sample], repeat: int) -> dict[str, Any]:
    texts = [t for t, _ in samples]
    golds = [g for _, g in samples]
    n_bytes = sum(len(t.encode()) for t in texts)
    gold_types = sorted({s.type for g in golds for s in g})
    out: dict[str, Any] = {"texts": len(texts), "bytes": n_bytes, "gold": {}, "tools": {}}
    for t in gold_types:
        out["gold"][t] = sum(1 for g in golds for s in g if s.type == t)
    for tool in tools:
        preds = [tool.detect(t) for t in texts]
        result: dict[str, Any] = {
            "mb_s": mb_per_s(lambda detect: [detect(t) for t in texts], n_bytes, repeat, tool.fresh)
        }
        for match in ("strict", "overlap"):
            scores = score_spans(
                preds, golds, match, types=[t for t in gold_types if t in tool.types]
            )
            result[match] = {
                t: {
                    "p": s.precision,
                    "r": s.recall,
                    "f1": s.f1,
                    "gold": s.gold,
                    "pred": s.predicted,
                }
                for t, s in scores.items()
            }
        out["tools"][tool.name] = result
    return out


def speed_on_chat(tools: list[Tool], convs: list[list[str]], repeat: int) -> dict[str, float]:
    """MB/s on the chat turns. Chat data repeats texts (each conversation's system prompt,
    "Thanks!"), which ftprep's result cache serves; the "cache off" lines show the speed
    without it, and "distinct turns" the speed on the texts that are not repeats."""
    turns = [t for c in convs for t in c]
    distinct = list(dict.fromkeys(turns))
    n_bytes = sum(len(t.encode()) for t in turns)
    n_distinct = sum(len(t.encode()) for t in distinct)

    def per_turn(detect: Detect, texts: list[str] = turns) -> object:
        return [detect(t) for t in texts]

    speeds = {tool.name: mb_per_s(per_turn, n_bytes, repeat, tool.fresh) for tool in tools}
    speeds["ftprep per conversation (detect_many)"] = mb_per_s(
        lambda det: [det.detect_many(c) for c in convs], n_bytes, repeat, PiiDetector
    )
    speeds["ftprep, six structured types only"] = mb_per_s(
        per_turn, n_bytes, repeat, lambda: PiiDetector(types=CORE).detect
    )
    speeds["ftprep, cache off"] = mb_per_s(
        per_turn, n_bytes, repeat, lambda: PiiDetector(cache_size=0).detect
    )
    speeds["ftprep, six structured types only, cache off"] = mb_per_s(
        per_turn, n_bytes, repeat, lambda: PiiDetector(types=CORE, cache_size=0).detect
    )
    speeds["ftprep, distinct turns only, cache off"] = mb_per_s(
        lambda detect: per_turn(detect, distinct),
        n_distinct,
        repeat,
        lambda: PiiDetector(cache_size=0).detect,
    )
    return speeds


def print_quality(name: str, result: dict[str, Any], tools: list[Tool]) -> None:
    print(f"\n### {name}: {result['texts']} texts, {result['bytes'] / 1e3:.0f} kB")
    for match in ("strict", "overlap"):
        print(f"\n{match} match: P / R / F1 per type (gold spans in brackets)\n")
        print("| type | " + " | ".join(t.name for t in tools) + " |")
        print("|---|" + "---|" * len(tools))
        for kind, n_gold in sorted(result["gold"].items()):
            cells = []
            for tool in tools:
                s = result["tools"][tool.name][match].get(kind)
                cells.append("-" if s is None else f"{s['p']:.3f} / {s['r']:.3f} / {s['f1']:.3f}")
            print(f"| {kind} ({n_gold}) | " + " | ".join(cells) + " |")
    print(
        "\nMB/s per core: "
        + ", ".join(f"{t.name} {result['tools'][t.name]['mb_s']:.2f}" for t in tools)
    )


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import os

    return {"python": platform.python_version(), "cpu": cpu, "nproc": str(os.cpu_count())}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="generated texts (default 3000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chat-records", type=int, default=2000, help="chat records for speed")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs, best kept")
    parser.add_argument("--presidio-data", type=Path, default=PRESIDIO_DATA)
    parser.add_argument("--json", type=Path, help="write all results as JSON")
    args = parser.parse_args(argv)

    tools = [t for t in (ftprep_tool(), presidio_tool(), scrubadub_tool()) if t is not None]
    print(f"machine: {machine()}; tools: {', '.join(t.name for t in tools)}")
    results: dict[str, Any] = {
        "machine": machine(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    if args.presidio_data.exists():
        results["presidio"] = evaluate(tools, load_presidio(args.presidio_data), args.repeat)
        print_quality("presidio-research generated_small.json", results["presidio"], tools)
    else:
        print(f"\n(skipping presidio-research data: {args.presidio_data} not found)")
    results["generated"] = evaluate(tools, load_generated(args.n, args.seed), args.repeat)
    print_quality(
        f"ftprep generated chat turns (n={args.n}, seed={args.seed})", results["generated"], tools
    )

    convs = chat_conversations(args.chat_records, args.seed)
    results["chat_speed"] = speed_on_chat(tools, convs, args.repeat)
    turns = [t for c in convs for t in c]
    distinct = set(turns)
    share = sum(len(t.encode()) for t in distinct) / sum(len(t.encode()) for t in turns)
    print(
        f"\n### speed on realistic chat turns ({len(convs)} conversations, {len(turns)} turns, "
        f"{len(distinct)} distinct: {share:.0%} of the bytes)\n"
    )
    print("| detector | MB/s per core |\n|---|---|")
    for name, speed in results["chat_speed"].items():
        print(f"| {name} | {speed:.2f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
