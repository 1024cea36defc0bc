"""Exception types. Every error a user can see names where it happened."""

from __future__ import annotations


class FtprepError(Exception):
    """Base class of every error ftprep raises on purpose."""


class FormatError(FtprepError):
    """A record that cannot be read or written in the expected shape.

    Carries the file, the 1-based line (or row) and the field path, so the message points at the
    exact place: ``data.jsonl:12: messages[3].role: unknown role 'bot'``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        code: str = "format_error",
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.code = code
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class DetectionError(FtprepError):
    """The container or format of an input could not be told; the message says how to name it."""


class TokenizerError(FtprepError):
    """A tokenizer could not be loaded (missing file, missing extra, missing tiktoken cache)."""


class MissingExtraError(FtprepError):
    """An optional dependency is needed; the message carries the exact ``pip install`` line."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependency '{module}': pip install 'ftprep[{extra}]'"
        )
