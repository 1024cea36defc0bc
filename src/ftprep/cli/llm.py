"""``ftprep judge`` (and the options every LLM command shares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.clean import common_run_options, io_options, step_params
from ftprep.cli.runs import echo_result, run_options


def llm_options(func: Any) -> Any:
    """--provider, --base-url, --model, --model-path, --concurrency, --rpm, --tpm, --cache,
    --price-input, --price-output: the ``llm:`` settings of the step a command runs."""
    options = [
        click.option(
            "--provider",
            type=click.Choice(["auto", "openai", "local"]),
            default=None,
            help="openai: an OpenAI-compatible endpoint; local: the bundled Gemma 3 270M "
            "in-process; auto (default): an endpoint when --base-url, $OPENAI_BASE_URL or "
            "$OPENAI_API_KEY is set, else local.",
        ),
        click.option("--base-url", help="The endpoint, e.g. http://127.0.0.1:8000/v1."),
        click.option("--model", help="The model name sent to the endpoint."),
        click.option("--model-path", help="A GGUF file for the local provider."),
        click.option("--concurrency", type=int, help="Requests in flight at most (default 8)."),
        click.option("--rpm", type=float, help="Requests per minute at most."),
        click.option("--tpm", type=float, help="Tokens per minute at most."),
        click.option(
            "--cache",
            metavar="PATH|off",
            help="The response cache file, or off (default: $FTPREP_CACHE_DIR/llm.sqlite).",
        ),
        click.option("--price-input", type=float, help="Price per 1M prompt tokens."),
        click.option("--price-output", type=float, help="Price per 1M completion tokens."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def llm_config(options: dict[str, Any]) -> dict[str, Any]:
    """The ``llm:`` settings given on the command line, taken out of ``options``."""
    names = ("provider", "base_url", "model", "model_path", "concurrency", "rpm", "tpm")
    config = {name: options.pop(name) for name in names}
    config.update(price_input=options.pop("price_input"), price_output=options.pop("price_output"))
    cache = options.pop("cache")
    if cache is not None:
        config["cache"] = False if cache.lower() in ("off", "false", "no", "0") else cache
    return {k: v for k, v in config.items() if v is not None}


@click.command("judge")
@io_options
@llm_options
@click.option("--keep-at", type=float, help="Mean score from which a record is kept (4).")
@click.option("--discard-below", type=float, help="Mean score under which it is discarded (3).")
@click.option("--floor", type=int, help="Discard when any criterion scores under this.")
@click.option(
    "--action",
    type=click.Choice(["drop", "mark"]),
    help="drop (default): discarded records go to rejects; mark: keep all, verdict in metadata.",
)
@click.option("--samples", type=int, help="Ratings per record, median kept (needs --temperature).")
@click.option("--temperature", type=float, help="Sampling temperature of the judge.")
@run_options
def judge_command(src: Path, dst: Path, **options: Any) -> None:
    """Rate every conversation of SRC with an LLM judge into DST.

    Scores 1-5 with a reason on correctness, relevance, completeness, grammar, tone and
    formatting (other criteria and prompts: --set criteria=... or a recipe); records under
    --discard-below go to the rejects beside DST, the others get metadata.judge with their
    verdict (keep or review).
    """
    from ftprep.jobs import judge

    params = step_params(options)
    params["llm"] = {**params.get("llm", {}), **llm_config(options)}
    for name in ("keep_at", "discard_below", "floor", "action", "samples", "temperature"):
        if (value := options.pop(name)) is not None:
            params[name] = value
    echo_result(judge(src, dst, params=params, **common_run_options(options)))
