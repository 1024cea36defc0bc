"""Where a run writes: its outputs, rejects, stats, manifest, report and work folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ftprep.engine.recipe import Recipe


@dataclass(frozen=True)
class RunLayout:
    outputs: tuple[Path, ...]
    rejects: Path
    stats: Path
    manifest: Path
    work: Path
    report: Path | None = None
    #: the folder that gets the dataset card (README.md) and the trainers' files
    card: Path | None = None

    @classmethod
    def in_folder(cls, recipe: Recipe) -> RunLayout:
        """A recipe run: everything inside its ``output_dir``."""
        out = recipe.out_dir
        return cls(
            outputs=tuple(
                Path(o.path) if Path(o.path).is_absolute() else out / o.path for o in recipe.outputs
            ),
            rejects=out / "rejects.jsonl",
            stats=out / "stats.json",
            manifest=out / "manifest.json",
            work=out / ".ftprep-work",
            report=out / "report.html",
            card=out,
        )

    def without_report(self) -> RunLayout:
        """The same without the report, the card and the trainers' files."""
        return RunLayout(self.outputs, self.rejects, self.stats, self.manifest, self.work)

    @classmethod
    def beside(cls, output: Path) -> RunLayout:
        """A one-shot command (``ftprep clean IN OUT``): ``OUT.rejects.jsonl`` and friends."""
        stem = output.name[: -len(output.suffix)] if output.suffix else output.name
        return cls(
            outputs=(output,),
            rejects=output.with_name(f"{stem}.rejects.jsonl"),
            stats=output.with_name(f"{stem}.stats.json"),
            manifest=output.with_name(f"{stem}.manifest.json"),
            work=output.with_name(f".{stem}.ftprep-work"),
            report=output.with_name(f"{stem}.report.html"),
        )
