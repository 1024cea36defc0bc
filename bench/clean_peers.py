"""The peer ``bench_clean.py`` measures ``ftprep clean`` against: datatrove's cleaning steps.

    python bench/clean_peers.py datatrove IN.jsonl WORK_DIR --workers 2

datatrove 0.10's own steps, each as close as it has to a step of ftprep's clean preset, over the
same chat records, in a :class:`LocalPipelineExecutor`:

- a :class:`JsonlReader` whose adapter makes each record a document: its turns' texts joined by
  blank lines (datatrove filters whole documents; it has no turns or roles), the messages kept in
  the metadata so that the output holds the record;
- ``FTFYFormatter`` (Unicode repair, as ``normalize.unicode``);
- ``GopherRepetitionFilter`` (as ``filter.repetition``), ``GopherQualityFilter`` and
  ``C4QualityFilter`` (word and line heuristics, close to ``filter.length``,
  ``filter.placeholder`` and ``filter.truncated``), ``FineWebQualityFilter``; each writes what it
  drops to an exclusion file, as ftprep writes rejects;
- ``PIIFormatter`` (e-mails and IPv4/IPv6 addresses only, replaced by fixed strings);
- a :class:`JsonlWriter`.

It does less than ftprep's preset: no exact dedup (datatrove's is a multi-stage job over
sentence or document hashes), PII of two types instead of eleven, no refusal, error-reply or
unseen-context filters. datatrove gives each task whole files, so with ``--workers N`` the input
is first cut into N files (made once, not timed). The word tokenizer is datatrove's default for
English (spaCy's blank tokenizer; no model).

Prints one JSON line: seconds, documents kept and dropped, each step's seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from dedup_peers import split_parts


def chat_document(reader: Any, data: dict, path: str, id_in_file: int | str) -> dict[str, Any]:
    """A chat record as a datatrove document: the turns' texts, the messages in the metadata."""
    texts = [m["content"] for m in data.get("messages", ()) if isinstance(m.get("content"), str)]
    return {
        "text": "\n\n".join(texts),
        "id": data.get("id") or f"{path}/{id_in_file}",
        "metadata": {"messages": data.get("messages")},
    }


def run_datatrove(data: Path, work: Path, workers: int) -> dict[str, Any]:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.formatters import FTFYFormatter, PIIFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    if workers > 1:
        folder, pattern = split_parts(data, workers), "*.jsonl"
    else:
        folder, pattern = data.parent, data.name

    def dropped(name: str) -> Any:
        return JsonlWriter(str(work / "dropped" / name), compression=None)

    pipeline = [
        JsonlReader(str(folder), adapter=chat_document, glob_pattern=pattern),
        FTFYFormatter(),
        GopherRepetitionFilter(exclusion_writer=dropped("repetition")),
        GopherQualityFilter(exclusion_writer=dropped("gopher")),
        C4QualityFilter(exclusion_writer=dropped("c4")),
        FineWebQualityFilter(exclusion_writer=dropped("fineweb")),
        PIIFormatter(),
        JsonlWriter(str(work / "kept"), compression=None),
    ]
    started = time.perf_counter()
    LocalPipelineExecutor(
        pipeline, tasks=workers, workers=workers, logging_dir=str(work / "logs")
    ).run()
    seconds = time.perf_counter() - started
    steps = json.loads((work / "logs" / "stats.json").read_text())
    return {
        "seconds": round(seconds, 2),
        "kept": _lines(work / "kept"),
        "dropped": _lines(work / "dropped"),
        #: each step's CPU seconds over all tasks (datatrove's own figures)
        "steps": {_plain(s["name"]): round(s["time_stats"]["total"], 2) for s in steps},
    }


def _plain(name: str) -> str:
    """A step's name without datatrove's emoji: "FILTER: Gopher Repetition"."""
    return " ".join(w for w in name.split() if w.isascii() and w != "-")


def _lines(folder: Path) -> int:
    return sum(sum(1 for _ in p.open("rb")) for p in folder.rglob("*.jsonl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("peer", choices=["datatrove"])
    parser.add_argument("data", type=Path)
    parser.add_argument("work", type=Path, help="an empty folder for outputs and logs")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    result = run_datatrove(args.data, args.work, args.workers)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
