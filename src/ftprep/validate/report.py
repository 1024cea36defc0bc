"""What a validation run found and measured, for people (a table) and machines (JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ftprep.tokens.cost import TrainingEstimate
from ftprep.validate.codes import CODES, ERROR, WARNING
from ftprep.validate.findings import Collector
from ftprep.validate.stats import Distribution


@dataclass
class ValidationReport:
    file: str
    container: str
    format: str
    target: str
    findings: Collector
    examples: int = 0
    messages: Distribution = field(default_factory=Distribution)
    total_tokens: Distribution = field(default_factory=Distribution)
    assistant_tokens: Distribution = field(default_factory=Distribution)
    missing_system: int = 0
    missing_user: int = 0
    system_prompts: Counter[str] = field(default_factory=Counter)
    tokenizer: str | None = None
    approximate: bool = True
    token_limit: int = 0
    over_limit: int = 0
    estimate: TrainingEstimate | None = None

    @property
    def errors(self) -> int:
        return sum(self.findings.by_severity(ERROR).values())

    @property
    def warnings(self) -> int:
        return sum(self.findings.by_severity(WARNING).values())

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        sev = self.findings.severity
        return {
            "file": self.file,
            "container": self.container,
            "format": self.format,
            "target": self.target,
            "ok": self.ok,
            "examples": self.examples,
            "examples_with_errors": self.findings.records_with_errors,
            "errors": self.errors,
            "warnings": self.warnings,
            "counts": {
                code: {
                    "severity": sev[code],
                    "count": n,
                    "title": CODES[code].title,
                    "hint": CODES[code].hint,
                }
                for code, n in sorted(self.findings.counts.items())
            },
            "findings": [f.to_dict() for kept in self.findings.examples.values() for f in kept],
            "missing_system": self.missing_system,
            "missing_user": self.missing_user,
            "distinct_system_prompts": len(self.system_prompts),
            "distributions": {
                "messages_per_example": self.messages.summary(),
                "tokens_per_example": self.total_tokens.summary(),
                "assistant_tokens_per_example": self.assistant_tokens.summary(),
            },
            "tokens": {
                "tokenizer": self.tokenizer,
                "approximate": self.approximate,
                "limit": self.token_limit,
                "examples_over_limit": self.over_limit,
            },
            "estimate": None if self.estimate is None else asdict(self.estimate),
        }
