"""Collect: conversations from production logs (and, through the same collector, SQL rows and
datasets), with filters, session grouping and incremental watermarks."""

from ftprep.collect.accounting import CollectStats
from ftprep.collect.logs import LogCollector
from ftprep.collect.spec import LogSpec
from ftprep.collect.timestamps import iso, to_epoch

__all__ = ["CollectStats", "LogCollector", "LogSpec", "iso", "to_epoch"]
