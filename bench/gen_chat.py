"""Write clean synthetic chat JSONL for benchmarks.

    python bench/gen_chat.py OUT.jsonl --n 1000000 --seed 0

Records come from :func:`ftprep.demo.iter_clean_chats` (about 1.7 KB a line, so a million
records is about 1.7 GB), serialized with orjson and written in large batches.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

from ftprep.demo import iter_clean_chats

BATCH = 20_000  # records per write (about 35 MB)
BUFFER = 16 * 1024 * 1024


def write_chats(path: Path, n: int, seed: int) -> int:
    """Write ``n`` records to ``path``; return the number of bytes written."""
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    written = 0
    batch: list[bytes] = []
    with path.open("wb", buffering=BUFFER) as f:
        for record in iter_clean_chats(n, seed=seed):
            batch.append(dumps(record, option=option))
            if len(batch) == BATCH:
                written += f.write(b"".join(batch))
                batch.clear()
        if batch:
            written += f.write(b"".join(batch))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="JSONL file to write")
    parser.add_argument("--n", type=int, default=1_000_000, help="number of records")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("--n must be >= 0")
    start = time.perf_counter()
    size = write_chats(args.out, args.n, args.seed)
    seconds = time.perf_counter() - start
    rate = args.n / seconds if seconds else 0.0
    print(
        f"records={args.n} bytes={size} seconds={seconds:.2f} "
        f"records_per_s={rate:,.0f} avg_line={size / max(args.n, 1):,.0f}B"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
