"""Pluggable token counting: exact with a tokenizer, or a fast estimate without one.

``load_counter(spec)`` turns a ``--tokenizer`` value into a :class:`TokenCounter`;
:mod:`ftprep.tokens.limits` holds the context limit of each fine-tuning target and
:mod:`ftprep.tokens.cost` the OpenAI epoch and billing estimate.
"""

from ftprep.tokens.approx import ApproxCounter
from ftprep.tokens.base import TokenCounter
from ftprep.tokens.chat_template import ChatTemplateCounter
from ftprep.tokens.cost import TrainingEstimate, default_epochs, estimate_training
from ftprep.tokens.hf import HFTokenizerCounter
from ftprep.tokens.limits import CONTEXT_LIMITS, context_limit
from ftprep.tokens.loader import load_counter
from ftprep.tokens.tiktoken_counter import TiktokenCounter

__all__ = [
    "CONTEXT_LIMITS",
    "ApproxCounter",
    "ChatTemplateCounter",
    "HFTokenizerCounter",
    "TiktokenCounter",
    "TokenCounter",
    "TrainingEstimate",
    "context_limit",
    "default_epochs",
    "estimate_training",
    "load_counter",
]
