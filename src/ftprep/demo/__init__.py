"""Demo data: a seeded, realistic, deliberately messy chat dataset and a fast clean generator.

ftprep ships no third-party data; ``ftprep demo`` and the README's walkthrough run on what
:func:`generate_messy_chats` writes, and the benchmarks on :func:`iter_clean_chats`.
"""

from ftprep.demo.bulk import iter_clean_chats
from ftprep.demo.defects import DEFECT_CODES
from ftprep.demo.sample import PlantedDefect, generate_messy_chats

__all__ = ["DEFECT_CODES", "PlantedDefect", "generate_messy_chats", "iter_clean_chats"]
