"""``report.html``: one self-contained page (inline CSS and SVG, no script, nothing fetched) of
what a run did and what it wrote.

Sections: the counts; every warning; the funnel of records through each step with the reject
reasons; the dataset's plots (lengths per role, tokens per example against the context limit,
categories, splits) and key numbers; samples of rejected records per reason; the pre-training
checklist. Everything that comes from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any

import orjson

from ftprep.report.checklist import Item, checklist
from ftprep.report.svg import bars, histogram
from ftprep.stats import ratio, share

#: rejected records shown per reason
SAMPLES_PER_REASON = 3
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}
.warn{background:#fff4e5;border-left:4px solid #f0a030;padding:4px 8px;margin:4px 0}
.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}.human{color:#8250df}
.plots{display:flex;flex-wrap:wrap;gap:16px}pre{white-space:pre-wrap;word-break:break-word;
background:#f6f8fa;padding:6px;max-height:12em;overflow:auto;font-size:12px}
"""


def render_report(
    *,
    title: str,
    run: dict[str, Any] | None = None,
    dataset: dict[str, Any] | None = None,
    rejected: dict[str, list[dict[str, Any]]] | None = None,
    validation_errors: int | None = None,
    recipe_steps: list[str] | None = None,
) -> str:
    """The page. ``run``: a run's ``stats.json``; ``dataset``: :func:`ftprep.stats.
    dataset_stats` of its output; ``rejected``: sample reject lines by reason."""
    body = [f"<h1>{escape(title)}</h1>"]
    body.append(_summary(run, dataset))
    warnings = list((run or {}).get("warnings", []))
    if dataset is not None and run is None:
        warnings += dataset.get("warnings", [])
    body.append("<h2>Warnings</h2>")
    body += [f'<div class="warn">{escape(w)}</div>' for w in warnings] or ["<p>None.</p>"]
    if run is not None:
        body.append(_funnel(run))
    if dataset is not None:
        body.append(_dataset(dataset))
    if rejected:
        body.append(_rejected(rejected))
    steps = set(recipe_steps or [s["step"] for s in (run or {}).get("steps", [])])
    body.append(_checklist(checklist(dataset, steps, validation_errors)))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body.append(f"<p><small>made by ftprep, {escape(stamp)}</small></p>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>"
    )


def _summary(run: dict[str, Any] | None, dataset: dict[str, Any] | None) -> str:
    rows = []
    if run is not None:
        rows += [
            ("read", run["read"]),
            ("added", run.get("added", 0)),
            ("written", run["written"]),
            ("rejected", run["rejected"]),
        ]
        for c in run.get("collect", []):
            rows.append((f"rows collected from {c['source']}", c["rows"]))
    if dataset is not None:
        rows += [("examples in the dataset", dataset["records"])]
        per = dataset["tokens"]["per_example"]
        if per:
            rows.append(
                (
                    "tokens in all"
                    + (" (approximate)" if dataset["tokens"]["approximate"] else ""),
                    per["total"],
                )
            )
    cells = "".join(f"<tr><th>{escape(k)}</th><td class=n>{v:,}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _funnel(run: dict[str, Any]) -> str:
    steps = run.get("steps", [])
    out = ["<h2>Funnel</h2>", "<div class=plots>"]
    out.append(bars([(s["name"], s["kept"]) for s in steps], title="records kept after each step"))
    out.append(
        "</div><table><tr><th>step</th><th>in</th><th>kept</th><th>rejected</th>"
        "<th>reasons</th></tr>"
    )
    for s in steps:
        reasons = ", ".join(f"{k} {v:,}" for k, v in s["rejected"].items())
        out.append(
            f"<tr><td>{escape(s['name'])}</td><td class=n>{s['in']:,}</td>"
            f"<td class=n>{s['kept']:,}</td><td class=n>{sum(s['rejected'].values()):,}</td>"
            f"<td>{escape(reasons)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _dataset(d: dict[str, Any]) -> str:
    out = ["<h2>The dataset</h2><div class=plots>"]
    hist = d.get("histograms", {})
    for role, h in hist.get("chars", {}).items():
        if h:
            out.append(
                histogram(h["edges"], h["counts"], title=f"{role} turns, characters", unit="chars")
            )
    if h := hist.get("tokens_per_example"):
        tokens = d["tokens"]
        out.append(
            histogram(
                h["edges"],
                h["counts"],
                title=f"tokens per example ({tokens['target']} limit {tokens['limit']:,})",
                unit="tokens",
                limit=tokens["limit"],
            )
        )
    if d["categories"]["counts"]:
        out.append(
            bars(
                list(d["categories"]["counts"].items())[:20],
                title=f"categories ({d['categories']['field']})",
            )
        )
    if d["splits"]["counts"]:
        out.append(bars(list(d["splits"]["counts"].items()), title="splits"))
    out.append("</div>")
    div = d["diversity"]
    rows = [
        ("unique examples", share(d["uniqueness"])),
        ("unique inputs", share(d["input_uniqueness"])),
        (
            "distinct-1 / -2 of inputs",
            f"{ratio(div['inputs_distinct_1'])} / {ratio(div['inputs_distinct_2'])}",
        ),
        (
            "distinct-1 / -2 of outputs",
            f"{ratio(div['outputs_distinct_1'])} / {ratio(div['outputs_distinct_2'])}",
        ),
        ("distinct system prompts", f"{d['system_prompts']['distinct']:,}"),
        ("composition", ", ".join(f"{k} {v:,}" for k, v in d["composition"].items())),
        ("languages", ", ".join(f"{k} {v:,}" for k, v in (d.get("languages") or {}).items())),
        ("tool calls", ", ".join(f"{k} {v:,}" for k, v in d["tools"]["functions_called"].items())),
    ]
    out.append(
        "<table>"
        + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v or '-')}</td></tr>" for k, v in rows)
        + "</table>"
    )
    out.append(
        "<table><tr><th>role</th><th>turns</th><th>mean chars</th><th>median</th>"
        "<th>p5</th><th>p95</th><th>max</th></tr>"
    )
    for role, s in d["chars"].items():
        out.append(
            f"<tr><td>{escape(role)}</td><td class=n>{s['count']:,}</td>"
            f"<td class=n>{s['mean']:,.0f}</td><td class=n>{s['median']:,.0f}</td>"
            f"<td class=n>{s['p5']:,.0f}</td><td class=n>{s['p95']:,.0f}</td>"
            f"<td class=n>{s['max']:,}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _rejected(samples: dict[str, list[dict[str, Any]]]) -> str:
    out = ["<h2>Rejected records, a few per reason</h2>"]
    for reason, lines in sorted(samples.items()):
        out.append(f"<h3>{escape(reason)}</h3>")
        for line in lines:
            where = f"{line.get('file')}:{line.get('line')}"
            record = orjson.dumps(line.get("record"), option=orjson.OPT_INDENT_2, default=str)
            text = record.decode("utf-8", errors="replace")
            text = text if len(text) <= 3000 else text[:3000] + "\n…"
            out.append(
                f"<p>{escape(str(line.get('step')))} · {escape(where)} · "
                f"{escape(str(line.get('detail') or ''))}</p><pre>{escape(text)}</pre>"
            )
    return "".join(out)


def _checklist(items: list[Item]) -> str:
    label = {"pass": "✔ passed", "fail": "✘ failed", "human": "? needs a human"}
    out = [
        "<h2>Pre-training checklist</h2><table><tr><th>group</th><th>item</th>"
        "<th>status</th><th>detail</th></tr>"
    ]
    for i in items:
        out.append(
            f"<tr><td>{escape(i.group)}</td><td>{escape(i.item)}</td>"
            f'<td class="{i.status}">{label[i.status]}</td><td>{escape(i.detail)}</td></tr>'
        )
    out.append("</table>")
    return "".join(out)


def sample_rejects(path: Path, per_reason: int = SAMPLES_PER_REASON) -> dict[str, list[Any]]:
    """Up to ``per_reason`` lines of a rejects file for each reason code (first seen)."""
    found: dict[str, list[Any]] = {}
    if not path.exists():
        return found
    with path.open("rb") as file:
        for raw in file:
            try:
                line = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            code = str(line.get("code"))
            bucket = found.setdefault(code, [])
            if len(bucket) < per_reason:
                bucket.append(line)
    return found
