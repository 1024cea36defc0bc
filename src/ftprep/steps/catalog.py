"""Every registered step, by canonical id. Adding a step means adding its class here."""

from __future__ import annotations

from ftprep.steps.augment.backtranslate import BackTranslator
from ftprep.steps.augment.difficulty import DifficultyAugmenter
from ftprep.steps.augment.llm_synonyms import LLMSynonymAugmenter
from ftprep.steps.augment.noise import NoiseAugmenter
from ftprep.steps.augment.paraphrase import Paraphraser
from ftprep.steps.augment.synonyms import SynonymAugmenter
from ftprep.steps.base import Step
from ftprep.steps.clean.quotes import QuoteNormalizer
from ftprep.steps.clean.unicode import UnicodeNormalizer
from ftprep.steps.clean.whitespace import WhitespaceNormalizer
from ftprep.steps.dataset.balance import Balancer
from ftprep.steps.dataset.review import ReviewRatings
from ftprep.steps.dataset.split import Splitter
from ftprep.steps.dataset.stats import DatasetStats
from ftprep.steps.dedup.decontam import Decontaminator
from ftprep.steps.dedup.exact import ExactDeduplicator
from ftprep.steps.dedup.minhash import MinHashDeduplicator
from ftprep.steps.dedup.semantic import SemanticDeduplicator
from ftprep.steps.filter.error_reply import ErrorReplyFilter
from ftprep.steps.filter.language import LanguageFilter
from ftprep.steps.filter.length import LengthFilter
from ftprep.steps.filter.metadata import MetadataFilter
from ftprep.steps.filter.placeholder import PlaceholderFilter
from ftprep.steps.filter.refusal import RefusalFilter
from ftprep.steps.filter.repetition import RepetitionFilter
from ftprep.steps.filter.truncated import TruncatedFilter
from ftprep.steps.filter.unseen_context import UnseenContextFilter
from ftprep.steps.filter.valid import ValidFilter
from ftprep.steps.llm.distill import TeacherDistiller
from ftprep.steps.llm.generate import SyntheticGenerator
from ftprep.steps.llm.judge import LLMJudge
from ftprep.steps.pii.redact import PiiRedactor

STEP_CLASSES: tuple[type[Step], ...] = (
    UnicodeNormalizer,
    WhitespaceNormalizer,
    QuoteNormalizer,
    ValidFilter,
    LengthFilter,
    PlaceholderFilter,
    RefusalFilter,
    ErrorReplyFilter,
    UnseenContextFilter,
    RepetitionFilter,
    TruncatedFilter,
    LanguageFilter,
    MetadataFilter,
    PiiRedactor,
    ExactDeduplicator,
    MinHashDeduplicator,
    SemanticDeduplicator,
    Decontaminator,
    Splitter,
    Balancer,
    DatasetStats,
    ReviewRatings,
    LLMJudge,
    TeacherDistiller,
    SyntheticGenerator,
    NoiseAugmenter,
    Paraphraser,
    BackTranslator,
    SynonymAugmenter,
    LLMSynonymAugmenter,
    DifficultyAugmenter,
)

STEPS: dict[str, type[Step]] = {cls.id: cls for cls in STEP_CLASSES}
