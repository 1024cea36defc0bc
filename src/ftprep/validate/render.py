"""The human-readable summary of a :class:`ValidationReport`."""

from __future__ import annotations

from ftprep.validate.codes import CODES, ERROR
from ftprep.validate.report import ValidationReport
from ftprep.validate.stats import Distribution


def render_text(report: ValidationReport, *, examples: int = 3) -> str:
    lines = [
        f"{report.file}  ({report.format} in {report.container}, target {report.target})",
        f"examples: {report.examples:,}   with errors: {report.findings.records_with_errors:,}   "
        f"errors: {report.errors:,}   warnings: {report.warnings:,}",
        "",
    ]
    lines += _findings_table(report, examples)
    lines += _stats(report)
    verdict = "OK: no errors" if report.ok else f"FAILED: {report.errors:,} errors"
    lines += ["", verdict]
    return "\n".join(lines)


def _findings_table(report: ValidationReport, examples: int) -> list[str]:
    counts = report.findings.counts
    if not counts:
        return ["no findings", ""]
    sev = report.findings.severity
    order = sorted(counts, key=lambda c: (sev[c] != ERROR, -counts[c], c))
    width = max(len(c) for c in order)
    out = [f"{'severity':<8}  {'code':<{width}}  {'count':>8}  what / fix"]
    for code in order:
        out.append(
            f"{sev[code]:<8}  {code:<{width}}  {counts[code]:>8,}  {CODES[code].title}; fix: {CODES[code].hint}"
        )
        for finding in report.findings.examples.get(code, [])[:examples]:
            detail = finding.detail or CODES[code].title
            out.append(f"{'':<8}  {'':<{width}}  {'':>8}    {finding.location}: {detail[:160]}")
    return [*out, ""]


def _stats(report: ValidationReport) -> list[str]:
    approx = " (≈ approximate: no tokenizer given)" if report.approximate else ""
    out = [
        f"missing a system message: {report.missing_system:,}   missing a user message: {report.missing_user:,}   "
        f"distinct system prompts: {len(report.system_prompts):,}",
        "",
        f"{'distribution':<28} {'min':>8} {'p5':>8} {'median':>8} {'mean':>9} {'p95':>8} {'max':>8}",
        _row("messages per example", report.messages),
    ]
    if report.tokenizer is not None:
        out += [
            _row("tokens per example", report.total_tokens),
            _row("assistant tokens per example", report.assistant_tokens),
            "",
            f"tokens counted with {report.tokenizer}{approx}",
            f"examples over the {report.token_limit:,}-token limit (truncated in training): {report.over_limit:,}",
        ]
        est = report.estimate
        if est is not None:
            line = (
                f"estimate: {est.epochs} epochs x {est.billing_tokens_per_epoch:,} tokens = "
                f"{est.total_billing_tokens:,} billed training tokens{approx}"
            )
            if est.cost is not None:
                line += f"; at {est.price_per_million:g} per 1M tokens: {est.cost:,.2f}"
            out.append(line)
    return out


def _row(name: str, dist: Distribution) -> str:
    s = dist.summary()
    if not s.get("count"):
        return f"{name:<28} {'-':>8}"
    return (
        f"{name:<28} {s['min']:>8,} {s['p5']:>8,.0f} {s['median']:>8,.0f} {s['mean']:>9,.1f} "
        f"{s['p95']:>8,.0f} {s['max']:>8,}"
    )
