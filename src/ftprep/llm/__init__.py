"""The LLM layer: one client (cache, limits, retries, usage) over OpenAI-compatible endpoints and
a local GGUF model, and structured answers parsed robustly from what models really say."""

from ftprep.llm.cache import ResponseCache, default_cache_path
from ftprep.llm.client import ChatClient, LLMConfig, build_client
from ftprep.llm.providers import ChatProvider, LocalProvider, OpenAIProvider
from ftprep.llm.structured import ReplyError, ask, parse_json, parse_reply
from ftprep.llm.types import ChatRequest, Completion, LLMError, TransientError, Usage

__all__ = [
    "ChatClient",
    "ChatProvider",
    "ChatRequest",
    "Completion",
    "LLMConfig",
    "LLMError",
    "LocalProvider",
    "OpenAIProvider",
    "ReplyError",
    "ResponseCache",
    "TransientError",
    "Usage",
    "ask",
    "build_client",
    "default_cache_path",
    "parse_json",
    "parse_reply",
]
