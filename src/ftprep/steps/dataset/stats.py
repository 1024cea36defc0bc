"""``dataset.stats``: the statistics of what a run wrote, with warnings."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from ftprep.record import Record
from ftprep.stats import Thresholds
from ftprep.steps.base import Reject, StepParams, TransformStep


class StatsParams(StepParams):
    tokenizer: str | None = Field(
        None, description="tokenizer.json, a model directory, or tiktoken:NAME (else approximate)."
    )
    target: str | None = Field(None, description="Whose context limit examples are held to.")
    category_field: str = Field("category", description="The metadata field of classes.")
    sample: int = Field(20_000, ge=1, description="Records (a seeded sample) for diversity.")
    embeddings: bool = Field(False, description="Also the spread of input embeddings.")
    min_examples: int = Field(100, description="Warn under this many examples.")
    max_examples: int = Field(50_000, description="Warn over this many (diminishing returns).")
    min_input_uniqueness: float = Field(0.9, description="Warn when fewer inputs are distinct.")
    max_mean_input_chars: int = Field(2000, description="Warn when user turns average more.")
    max_mean_output_chars: int = Field(1500, description="Warn when replies average more.")
    max_imbalance: float = Field(10.0, description="Warn when classes are more imbalanced.")
    min_test_examples: int = Field(50, description="Warn when the test split is smaller.")

    def thresholds(self) -> Thresholds:
        return Thresholds(**{k: getattr(self, k) for k in Thresholds.__dataclass_fields__})


class DatasetStats(TransformStep):
    """Measure the dataset the run writes: counts, turns, roles, lengths in characters and
    tokens per role, tokens against the context limit, uniqueness, distinct-n diversity,
    classes and imbalance, system prompts, languages, tools, composition, splits and their
    overlap; and warn where a rule of thumb is broken (fewer than 100 examples, more than
    50,000, inputs under 90% distinct, long inputs or outputs, classes over 10x imbalanced, a
    test split under 50, inputs shared by two splits). The thresholds are parameters.

    It describes what is written, so it goes last in a recipe; the engine measures the first
    output once the run has written it (the step itself touches no record), puts the numbers
    in ``stats.json`` under ``dataset`` and the warnings with the run's. ``ftprep stats FILE``
    does the same for any file.

    Reads: the first output, after the run.
    Writes: ``stats.json`` ``dataset``; warnings in the run's summary.
    Drops: nothing.
    """

    id: ClassVar[str] = "dataset.stats"
    Params = StatsParams
    params: StatsParams

    def transform(self, record: Record) -> Record | Reject:
        return record

    def measure(self, records: Any) -> dict[str, Any]:
        from ftprep.stats import dataset_stats, warnings_for

        p = self.params
        stats = dataset_stats(
            records,
            tokenizer=p.tokenizer,
            target=p.target,
            category_field=p.category_field,
            sample=p.sample,
            embeddings=p.embeddings,
        )
        stats["warnings"] = warnings_for(stats, p.thresholds())
        return stats
