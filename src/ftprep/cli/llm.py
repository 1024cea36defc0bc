"""``ftprep judge``, ``ftprep distill``, ``ftprep augment`` and ``ftprep generate`` (and the
options every LLM command shares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.clean import common_run_options, io_options, step_params
from ftprep.cli.common import comma_list
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


def llm_step_params(options: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The parameters of an LLM command's step: ``--set`` items, the ``llm:`` options, and the
    command's own options ``names`` that were given; all taken out of ``options``."""
    params = step_params(options)
    params["llm"] = {**params.get("llm", {}), **llm_config(options)}
    for name in names:
        if (value := options.pop(name)) is not None:
            params[name] = value
    return params


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

    names = ("keep_at", "discard_below", "floor", "action", "samples", "temperature")
    echo_result(
        judge(src, dst, params=llm_step_params(options, names), **common_run_options(options))
    )


AUGMENT_METHODS = {
    "noise": "augment.noise",
    "synonyms": "augment.synonyms",
    "llm-synonyms": "augment.llm_synonyms",
    "paraphrase": "augment.paraphrase",
    "backtranslate": "augment.backtranslate",
    "difficulty": "augment.difficulty",
}


@click.command("augment")
@io_options
@click.option(
    "--method",
    type=click.Choice(list(AUGMENT_METHODS)),
    default="noise",
    show_default=True,
    help="noise: typos, casing, abbreviations and punctuation in user turns (no model); "
    "synonyms: words replaced from an offline synonym list (no model); "
    "llm-synonyms: words replaced by synonyms an LLM picked for their context; "
    "paraphrase: an LLM rewrites the last user turn; backtranslate: an LLM translates it into "
    "pivot languages (--set pivots=[French,German]) and back; difficulty: an LLM writes simpler, "
    "harder, ambiguous and multi-intent versions of the last request with their replies.",
)
@llm_options
@click.option("--n", "n", type=int, default=1, show_default=True, help="Variants per record.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the variants.")
@click.option("--no-original", is_flag=True, help="Write the variants only, not the originals.")
@run_options
def augment_command(
    src: Path, dst: Path, method: str, n: int, seed: int, no_original: bool, **options: Any
) -> None:
    """Write SRC and variants of its records into DST.

    Each variant has the id <id>#<method>-<k>, metadata.parent_id and metadata.augment, passes
    the same validation as real data (or goes to the rejects), and follows its parent in splits.
    """
    from ftprep.jobs import apply

    params: dict[str, Any] = {"keep_original": not no_original}
    if method not in ("backtranslate", "difficulty"):  # one variant per pivot or level there
        params["n"] = n
    if method in ("noise", "synonyms"):
        _no_llm(options, method)
        params.update(seed=seed, **step_params(options))
    elif method == "llm-synonyms":
        params.update(seed=seed, **llm_step_params(options, ()))
    else:
        params.update(llm_step_params(options, ()))
    echo_result(apply(AUGMENT_METHODS[method], src, dst, params, **common_run_options(options)))


def _no_llm(options: dict[str, Any], method: str) -> None:
    """Fail when LLM options are given to a method that uses no model."""
    given = llm_config(options)
    if given:
        raise click.UsageError(f"--method {method} uses no model (given: {', '.join(given)})")


@click.command("distill")
@io_options
@llm_options
@click.option(
    "--turns",
    type=click.Choice(["last", "all"]),
    help="last (default): answer the last user turn; all: rewrite every assistant turn.",
)
@click.option("--samples", type=int, help="Candidate replies per turn (needs --temperature).")
@click.option(
    "--select",
    type=click.Choice(["first", "judge"]),
    help="With --samples: keep the first, or the one the judge rates best.",
)
@click.option("--temperature", type=float, help="The teacher's temperature.")
@click.option("--max-tokens", type=int, help="Longest reply, in tokens (1024).")
@run_options
def distill_command(src: Path, dst: Path, **options: Any) -> None:
    """Have a teacher model write the assistant replies of SRC's conversations into DST.

    The replies it replaces are kept in metadata.distill.original; empty or cut-off replies
    go to the rejects beside DST.
    """
    from ftprep.jobs import apply

    names = ("turns", "samples", "select", "temperature", "max_tokens")
    params = llm_step_params(options, names)
    echo_result(apply("llm.distill", src, dst, params, **common_run_options(options)))


@click.command("generate")
@io_options
@llm_options
@click.option("--task", required=True, help="What the data is for, in a few sentences.")
@click.option("--n", "n", type=int, default=100, show_default=True, help="New examples wanted.")
@click.option("--topics", help="Comma-separated topics to spread examples over.")
@click.option("--personas", help="Comma-separated user personas.")
@click.option("--difficulties", help="Comma-separated difficulty levels (easy,typical,hard).")
@click.option("--temperature", type=float, help="Sampling temperature (0.9).")
@click.option("--judge", "use_judge", is_flag=True, help="Judge each new example; drop discards.")
@click.option(
    "--near-threshold",
    type=float,
    default=0.8,
    show_default=True,
    help="MinHash similarity above which a new example repeats a seed or another one.",
)
@run_options
def generate_command(
    src: Path,
    dst: Path,
    task: str,
    n: int,
    use_judge: bool,
    near_threshold: float,
    **options: Any,
) -> None:
    """Write about N new examples for --task from the seed examples in SRC, into DST.

    DST holds the seeds and the new examples (metadata.synthetic, metadata.parent_id, and the
    topic, persona and difficulty drawn); new examples that are invalid, discarded by the judge,
    or repeat a seed or each other go to the rejects beside DST. The synthetic share is printed.
    """
    from ftprep.jobs import generate

    params = llm_step_params(options, ("temperature",))
    for name in ("topics", "personas", "difficulties"):
        if (value := options.pop(name)) is not None:
            params[name] = comma_list(value)
    if use_judge:
        params["judge"] = {}
    result = generate(
        src,
        dst,
        task=task,
        n=n,
        params=params,
        near_threshold=near_threshold,
        **common_run_options(options),
    )
    echo_result(result)
