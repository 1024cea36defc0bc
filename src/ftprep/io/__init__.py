"""Containers: reading rows from files and writing rows to them atomically.

A *container* is the kind of file (JSON Lines, JSON, CSV, TSV, Parquet, a Hugging Face datasets
directory); what the rows mean (OpenAI chat, Alpaca, ShareGPT...) is the format layer's business.
Readers yield :class:`RawRow` objects holding raw Python values, or the reason a row could not be
decoded; writers take dicts.
"""

from ftprep.io.atomic import RowWriter
from ftprep.io.csvfile import iter_csv
from ftprep.io.csvwriter import CsvWriter, TsvWriter
from ftprep.io.detect import detect_container
from ftprep.io.hfdir import HfDatasetWriter, iter_hf_dir
from ftprep.io.jsonarray import JsonArrayWriter, iter_json_document
from ftprep.io.jsonl import JsonlValue, JsonlWriter, iter_jsonl, iter_jsonl_values
from ftprep.io.parquet import ParquetRowWriter, iter_parquet
from ftprep.io.readers import iter_rows
from ftprep.io.rows import CONTAINERS, RawRow
from ftprep.io.writers import open_writer

__all__ = [
    "CONTAINERS",
    "CsvWriter",
    "HfDatasetWriter",
    "JsonArrayWriter",
    "JsonlValue",
    "JsonlWriter",
    "ParquetRowWriter",
    "RawRow",
    "RowWriter",
    "TsvWriter",
    "detect_container",
    "iter_csv",
    "iter_hf_dir",
    "iter_json_document",
    "iter_jsonl",
    "iter_jsonl_values",
    "iter_parquet",
    "iter_rows",
    "open_writer",
]
