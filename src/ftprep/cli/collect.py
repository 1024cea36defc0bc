"""``ftprep collect``: conversations from production logs, SQL databases and annotation exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.common import comma_list, to_option
from ftprep.cli.runs import echo_result, progress_wanted, run_options
from ftprep.io import CONTAINERS

#: flag -> LogSpec field naming a column of the log
FIELD_OPTIONS = {
    "prompt": "Field of an exchange row's user text (with --response).",
    "response": "Field of an exchange row's reply.",
    "messages": "Field of a row's list of {sender, text} messages.",
    "sender": "Field of who sent a turn (default: sender).",
    "text": "Field of a turn's text (default: text).",
    "session": "Field of the session id: rows of a session make one conversation.",
    "timestamp": "Field of the row's time (ISO 8601 or epoch); orders a session's turns.",
    "id": "Field of a row's id.",
    "rating": "Field of the rating (numbers, or up/down).",
    "status": "Field of the resolution status.",
    "agent_type": "Field of the agent type (human, bot...).",
    "error": "Field of the error flag or message.",
    "system": "Field of a per-row system prompt.",
}


@click.group("collect")
def collect_group() -> None:
    """Collect fine-tuning conversations from where they live."""


def _field_options(func: Any) -> Any:
    for name, help_text in reversed(FIELD_OPTIONS.items()):
        flag = "--" + name.replace("_", "-") + "-field"
        func = click.option(flag, name + "_field", metavar="NAME", help=help_text)(func)
    return func


def _row_options(func: Any) -> Any:
    """The field mapping, filters, watermark, output format and run options every collector
    command takes."""
    options = [
        click.option("--keep", "keep", metavar="F,G", help="Other fields copied into metadata."),
        click.option(
            "--role", "roles", multiple=True, metavar="SENDER=ROLE", help="Map a sender to a role."
        ),
        click.option("--since", help="Only rows at or after this time (ISO 8601)."),
        click.option("--until", help="Only rows before this time."),
        click.option("--min-rating", type=float, help="Only conversations rated at least this."),
        click.option("--statuses", metavar="A,B", help="Only conversations with these statuses."),
        click.option(
            "--agent-types", metavar="A,B", help="Only conversations whose agents are these."
        ),
        click.option("--keep-errors", is_flag=True, help="Keep conversations flagged as errors."),
        click.option("--max-input-chars", type=int, help="Longest user turn."),
        click.option("--max-output-chars", type=int, help="Longest assistant turn."),
        click.option("--system-prompt", help="A system message put first in every conversation."),
        click.option("--no-merge", is_flag=True, help="Keep consecutive turns of one role apart."),
        click.option(
            "--incremental",
            is_flag=True,
            help="Collect only rows newer than the last run's (the mark is kept in "
            "DST.watermark.json, or --watermark).",
        ),
        click.option(
            "--watermark", type=click.Path(dir_okay=False, path_type=Path), help="Mark file."
        ),
        to_option,
    ]
    func = run_options(func)
    for option in reversed(options):
        func = option(func)
    return _field_options(func)


@collect_group.command("logs")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--container",
    type=click.Choice(list(CONTAINERS)),
    help="The log's file kind (default: detected).",
)
@_row_options
def logs_command(src: Path, dst: Path, container: str | None, **options: Any) -> None:
    """Turn the interaction log SRC (JSONL, CSV...) into conversations in DST.

    Rows are turns (--session-field with --sender-field/--text-field), exchanges
    (--prompt-field/--response-field) or whole conversations (--messages-field). Every row ends
    in a conversation or in DST's rejects with the reason; stats and manifest sit beside DST.
    """
    spec = {**_spec(options, dst), "path": str(src.resolve())}
    if container:
        spec["container"] = container
    _collect("logs", spec, dst, options)


@collect_group.command("sql")
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--url",
    help="A SQLAlchemy URL (postgresql://user@host/db, sqlite:///file.db); default: the "
    "variable --url-env names. Keep the password out of it: PGPASSWORD works.",
)
@click.option(
    "--url-env", default="DATABASE_URL", show_default=True, help="Variable holding the URL."
)
@click.option("--table", help="Read this table (or schema.table).")
@click.option("--query", help="Read the rows of this SELECT.")
@click.option("--batch-size", type=int, help="Rows fetched from the server at a time (5000).")
@_row_options
def sql_command(dst: Path, **options: Any) -> None:
    """Turn the rows of a SQL table or query into conversations in DST.

    The same fields and filters as `collect logs`; the database orders the rows by session and
    time and applies the date window and the watermark. The password never appears in the
    output, the manifest or the messages.
    """
    spec = _spec(options, dst)
    for name in ("url", "url_env", "table", "query", "batch_size"):
        if options.get(name) is not None:
            spec[name] = options[name]
    if spec.get("url", "").startswith("sqlite:///"):
        database = spec["url"].removeprefix("sqlite:///")
        if database and not database.startswith("/"):  # relative to where the command runs
            spec["url"] = "sqlite:///" + str(Path(database).resolve())
    _collect("sql", spec, dst, options)


@collect_group.command("annotations")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--item-field", default="item_id", show_default=True, help="Field of the item id.")
@click.option(
    "--annotator-field", default="annotator", show_default=True, help="Field of the annotator."
)
@click.option("--label-field", default="label", show_default=True, help="Field of the label.")
@click.option("--reply-field", help="Field of an annotator's edited reply.")
@click.option("--messages-field", help="Field of the item's messages.")
@click.option("--prompt-field", help="Field of the item's user text (with --response-field).")
@click.option("--response-field", help="Field of the item's reply.")
@click.option(
    "--level",
    type=click.Choice(["nominal", "ordinal", "interval"]),
    default="nominal",
    show_default=True,
    help="nominal: classes; ordinal or interval: ratings.",
)
@click.option("--scale", metavar="LOW,HIGH", help="A rating scale's ends, e.g. 1,5.")
@click.option(
    "--threshold", type=float, default=0.8, show_default=True, help="Item agreement to accept."
)
@click.option(
    "--resolve",
    type=click.Choice(["majority", "median"]),
    help="How an accepted item's label is chosen (default: majority for nominal, else median).",
)
@click.option("--min-annotators", type=int, default=2, show_default=True, help="Per item.")
@click.option("--container", type=click.Choice(list(CONTAINERS)), help="The export's file kind.")
@to_option
@run_options
def annotations_command(src: Path, dst: Path, **options: Any) -> None:
    """Resolve the annotation export SRC (one row per item and annotator) into DST.

    Items whose annotators agree enough are written with metadata.annotation; the others go to
    DST.adjudicate.jsonl with every answer side by side (their rows to the rejects). The
    export's agreement (percent, Krippendorff's alpha, Fleiss' and Cohen's kappas) is printed
    and kept in DST.stats.json.
    """
    spec: dict[str, Any] = {
        "path": str(src.resolve()),
        "item": options["item_field"],
        "annotator": options["annotator_field"],
        "label": options["label_field"],
        "level": options["level"],
        "threshold": options["threshold"],
        "min_annotators": options["min_annotators"],
        "adjudicate": str(dst.resolve().with_name(dst.name + ".adjudicate.jsonl")),
    }
    for flag, key in (("reply_field", "reply"), ("messages_field", "messages"),
                      ("prompt_field", "prompt"), ("response_field", "response"),
                      ("resolve", "resolve"), ("container", "container")):  # fmt: skip
        if options[flag] is not None:
            spec[key] = options[flag]
    if options["scale"]:
        low, _, high = options["scale"].partition(",")
        try:
            spec["scale"] = [float(low), float(high)]
        except ValueError:
            message = f"{options['scale']!r} is not LOW,HIGH"
            raise click.BadParameter(message, param_hint="--scale") from None
    _collect("annotations", spec, dst, options)


def _collect(kind: str, spec: dict[str, Any], dst: Path, options: dict[str, Any]) -> None:
    from ftprep.jobs import collect

    result = collect(
        kind,
        spec,
        dst,
        to=options["to"],
        overrides=list(options["overrides"]),
        workers=options["workers"],
        resume=options["resume"],
        progress=progress_wanted(options["progress"]),
        report=bool(options["report"]),
    )
    echo_result(result)


def _spec(options: dict[str, Any], dst: Path) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for name in FIELD_OPTIONS:
        if (value := options.get(name + "_field")) is not None:
            spec[name] = value
    if options["keep"]:
        spec["keep"] = comma_list(options["keep"])
    roles = {}
    for pair in options["roles"]:
        sender, sep, role = pair.partition("=")
        if not sep or not sender or not role:
            raise click.BadParameter(f"{pair!r} is not SENDER=ROLE", param_hint="--role")
        roles[sender] = role
    if roles:
        spec["roles"] = roles
    for name in ("since", "until", "min_rating", "max_input_chars", "max_output_chars"):
        if options[name] is not None:
            spec[name] = options[name]
    for name in ("statuses", "agent_types"):
        if options[name]:
            spec[name] = comma_list(options[name])
    if options["keep_errors"]:
        spec["drop_errors"] = False
    if options["system_prompt"]:
        spec["system_prompt"] = options["system_prompt"]
    if options["no_merge"]:
        spec["merge_consecutive"] = False
    if options["incremental"] or options["watermark"] is not None:
        mark = options["watermark"] or dst.with_name(dst.name + ".watermark.json")
        spec["watermark"] = str(mark.resolve())
    return spec
