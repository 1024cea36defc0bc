"""``ftprep stats``: the statistics of a dataset and the warnings they earn."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ftprep.cli.common import input_options, open_input


@click.command("stats")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@input_options
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.option(
    "--tokenizer",
    help="tokenizer.json, a model directory, or tiktoken:NAME (default: approximate counts).",
)
@click.option("--target", help="Whose context limit examples are held to (openai, axolotl...).")
@click.option(
    "--category-field", default="category", show_default=True, help="metadata field of classes."
)
@click.option(
    "--sample", type=int, default=20_000, show_default=True, help="Records for diversity."
)
@click.option("--embeddings", is_flag=True, help="Also the spread of input embeddings.")
@click.option("--min-examples", type=int, help="Warn under this many examples (100).")
@click.option("--max-examples", type=int, help="Warn over this many (50,000).")
@click.option("--min-input-uniqueness", type=float, help="Warn under this share (0.9).")
@click.option("--max-mean-input-chars", type=int, help="Warn over this mean (2,000).")
@click.option("--max-mean-output-chars", type=int, help="Warn over this mean (1,500).")
@click.option("--max-imbalance", type=float, help="Warn over this class ratio (10).")
@click.option("--min-test-examples", type=int, help="Warn under this test split size (50).")
def stats_command(src: Path, as_json: bool, **options: Any) -> None:
    """Statistics of SRC: counts, lengths, tokens, uniqueness, diversity, classes, languages,
    tools, splits; and warnings where a rule of thumb is broken."""
    import orjson

    from ftprep.reading import iter_records
    from ftprep.record import Record
    from ftprep.stats import Thresholds, dataset_stats, warnings_for

    source = open_input(src, options)
    unreadable = 0

    def records() -> Any:
        nonlocal unreadable
        for item in iter_records(source):
            if isinstance(item, Record):
                yield item
            else:
                unreadable += 1

    stats = dataset_stats(
        records(),
        tokenizer=options["tokenizer"],
        target=options["target"],
        category_field=options["category_field"],
        sample=options["sample"],
        embeddings=options["embeddings"],
    )
    stats["unreadable_rows"] = unreadable
    given = {
        k: v for k, v in options.items() if k in Thresholds.__dataclass_fields__ and v is not None
    }
    stats["warnings"] = warnings_for(stats, Thresholds(**given))
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(stats, option=orjson.OPT_INDENT_2) + b"\n")
        return
    click.echo(render(stats, str(src)))


def render(stats: dict[str, Any], name: str) -> str:
    """The statistics as a few readable lines."""
    from ftprep.stats import ratio, share

    lines = [
        f"{name}: {stats['records']:,} records ({stats['conversations']:,} conversations, "
        f"{stats['texts']:,} texts); {stats.get('unreadable_rows', 0):,} rows unreadable",
    ]
    if turns := stats["turns_per_conversation"]:
        lines.append(
            f"turns per conversation: mean {turns['mean']}, median {turns['median']:g}, "
            f"max {turns['max']}"
        )
    lines.append("characters per turn, by role (mean / median / p5 / p95 / max):")
    for role, d in stats["chars"].items():
        lines.append(
            f"  {role:<10} {d['count']:>9,} turns  {d['mean']:>8,.0f} {d['median']:>8,.0f} "
            f"{d['p5']:>8,.0f} {d['p95']:>8,.0f} {d['max']:>9,}"
        )
    tokens = stats["tokens"]
    if per := tokens["per_example"]:
        approx = " (approximate)" if tokens["approximate"] else ""
        lines.append(
            f"tokens per example{approx}: mean {per['mean']:,.0f}, p95 {per['p95']:,.0f}, max "
            f"{per['max']:,} of the {tokens['target']} limit {tokens['limit']:,} "
            f"({tokens['over_limit']:,} over); {per['total']:,} in all"
        )
    lines.append(
        f"unique examples {share(stats['uniqueness'])}, unique inputs "
        f"{share(stats['input_uniqueness'])}"
    )
    div = stats["diversity"]
    lines.append(
        "distinct-1/-2: inputs "
        f"{ratio(div['inputs_distinct_1'])}/{ratio(div['inputs_distinct_2'])}, outputs "
        f"{ratio(div['outputs_distinct_1'])}/{ratio(div['outputs_distinct_2'])} "
        f"(on {stats['sample_size']:,} records)"
        + (f"; embedding spread {stats['embedding_spread']}" if "embedding_spread" in stats else "")
    )
    cats = stats["categories"]
    if cats["counts"]:
        top = ", ".join(f"{k} {v:,}" for k, v in list(cats["counts"].items())[:8])
        lines.append(f"categories ({cats['field']}): {top}; imbalance {cats['imbalance']:g}x")
    lines.append(f"distinct system prompts: {stats['system_prompts']['distinct']:,}")
    if stats.get("languages"):
        lines.append("languages: " + ", ".join(f"{k} {v:,}" for k, v in stats["languages"].items()))
    lines.append("composition: " + ", ".join(f"{k} {v:,}" for k, v in stats["composition"].items()))
    if stats["tools"]["functions_called"]:
        called = ", ".join(f"{k} {v:,}" for k, v in stats["tools"]["functions_called"].items())
        lines.append(f"tool calls: {called}")
    if stats["splits"]["counts"]:
        lines.append(
            "splits: " + ", ".join(f"{k} {v:,}" for k, v in stats["splits"]["counts"].items())
        )
    for warning in stats.get("warnings", []):
        lines.append(f"warning: {warning}")
    if not stats.get("warnings"):
        lines.append("no warnings")
    return "\n".join(lines)
