"""ftprep: turn raw material into clean, validated, documented datasets for fine-tuning LLMs.

The library API mirrors the command line: ``ftprep.validate.validate`` (``ftprep validate``),
``ftprep.convert.convert`` (``ftprep convert``), ``ftprep.engine.run`` (``ftprep run``),
``ftprep.jobs.apply``/``clean``/``redact_pii`` (``ftprep apply``/``clean``/``pii``).
"""

__version__ = "0.1.0"
