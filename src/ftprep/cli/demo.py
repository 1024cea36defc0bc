"""``ftprep demo``: generate a messy sample of production chat logs, validate it, convert it."""

from __future__ import annotations

from pathlib import Path

import click

from ftprep.convert import convert
from ftprep.demo import generate_messy_chats
from ftprep.validate import render_text, validate


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for everything the demo writes.",
)
@click.option("-n", "--records", default=400, show_default=True, help="Records to generate.")
@click.option("--seed", default=0, show_default=True, help="Random seed of the generator.")
def demo_command(out_dir: Path, records: int, seed: int) -> None:
    """Run the demo end to end on generated data: generate, validate, convert."""
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / "messy_chats.jsonl"
    planted = generate_messy_chats(raw, n=records, seed=seed)
    click.echo(
        f"1. generated {records:,} chat records with {len(planted)} planted defects -> {raw}"
    )
    click.echo("\n2. validate (what is wrong, where, and how to fix it)\n")
    findings = out_dir / "findings.jsonl"
    with findings.open("wb") as sink:
        report = validate(raw, findings_out=sink)
    click.echo(render_text(report, examples=1))
    click.echo("\n3. convert (the readable records to each format; the rest to rejects)\n")
    outputs = {
        "openai": out_dir / "chats.openai.jsonl",
        "sharegpt": out_dir / "chats.sharegpt.json",
        "alpaca": out_dir / "chats.alpaca.jsonl",
        "parquet": out_dir / "chats.parquet",
    }
    for to, path in outputs.items():
        result = convert(raw, path, to=to)
        lost = ", ".join(f"{k}: {v}" for k, v in result.losses.most_common(3)) or "nothing"
        click.echo(
            f"   {to:<9} read {result.read:,} = written {result.written:,} + rejected "
            f"{result.rejected:,} -> {path}  (not representable: {lost})"
        )
    click.echo(f"\nfindings (every one, JSONL): {findings}")
    click.echo(f"rejects beside each output: {out_dir}/*.rejects.jsonl")
    click.echo(
        f"planted defects: {len(planted)}; found by validate: {report.errors:,} errors, {report.warnings:,} warnings"
    )
