"""API keys, tokens, private keys and passwords (entity type ``secret``).

Two families:

- provider tokens with a recognizable prefix (OpenAI ``sk-``, Anthropic ``sk-ant-``, AWS
  ``AKIA``/``ASIA``, GitHub ``ghp_``/``github_pat_``, Slack ``xox?-``, Stripe ``sk_live_``,
  Google ``AIza``), JWTs and PEM private-key blocks. Each regex runs only when its prefix
  occurs in the text;
- generic values next to a cue word (``api_key=...``, ``token: ...``, ``password is ...``):
  a high-entropy token (mixed letters and digits, >= 3 bits/char) after a key/token/secret
  cue, or any non-trivial value (a digit or symbol, >= 6 characters) after a password cue.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ftprep.pii.scan import TextScan
from ftprep.pii.spans import PiiSpan

_PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sk-", re.compile(r"(?<![\w-])sk-(?:[a-z]{2,8}-)*[A-Za-z0-9_\-]{20,}")),
    ("k_live_", re.compile(r"(?<![\w-])[sr]k_live_[A-Za-z0-9]{16,}")),
    ("k_test_", re.compile(r"(?<![\w-])[sr]k_test_[A-Za-z0-9]{16,}")),
    ("AKIA", re.compile(r"(?<![A-Za-z0-9])AKIA[0-9A-Z]{16}(?![A-Za-z0-9])")),
    ("ASIA", re.compile(r"(?<![A-Za-z0-9])ASIA[0-9A-Z]{16}(?![A-Za-z0-9])")),
    ("gh", re.compile(r"(?<![\w])gh[pousr]_[A-Za-z0-9]{36,255}")),
    ("github_pat_", re.compile(r"(?<![\w])github_pat_[A-Za-z0-9_]{22,255}")),
    ("xox", re.compile(r"(?<![\w])xox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("AIza", re.compile(r"(?<![\w])AIza[0-9A-Za-z_\-]{35}(?![\w\-])")),
    (
        "eyJ",
        re.compile(r"(?<![\w])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    ),
    (
        "-----BEGIN",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[^\x1e]{16,}?"
            r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        ),
    ),
)
_UNDERSCORE_PREFIXES = frozenset({"k_live_", "k_test_", "gh", "github_pat_"})
#: from a key cue: the rest of an identifier (``API_KEY``, ``secret_key``), a separator, a value
_GENERIC = re.compile(
    r"(?i)(?:key|token|secret|bearer|auth|credential)[\w\-]{0,24}?s?[\"']?\s*"
    r"(?:[:=]|is|was|=>|->)?\s*[\"'`]?([A-Za-z0-9_\-+/=.~]{16,256})"
)
_PASSWORD = re.compile(
    r"(?i)(?:(?:password|passwd|passcode|passwort|pwd)[\w\-]{0,16}?|passe\b|contraseña)"
    r"[\"']?\s*(?:[:=]|is|was|est|ist|es)\s*[\"'`]?([^\s\"'`\x1e]{6,128})"
)


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def find_provider_tokens(scan: TextScan) -> list[PiiSpan]:
    """Tokens of known providers, JWTs and private-key blocks (each regex runs only when its
    prefix occurs; a text without ``_``, a provider cue or a key block is skipped at once)."""
    text = scan.text
    if "_" not in text and "provider" not in scan.cues and "-----BEGIN" not in text:
        return []
    underscore = "_" in text
    found = []
    for prefix, pattern in _PROVIDERS:
        if (prefix in _UNDERSCORE_PREFIXES and not underscore) or prefix not in text:
            continue
        for m in pattern.finditer(text):
            found.append(PiiSpan(m.start(), m.end(), "secret", m.group(), 0.95))
    return found


def find_generic_secrets(scan: TextScan) -> list[PiiSpan]:
    """High-entropy values after key/token/secret cues, and passwords after password cues.
    Each regex is matched only at a cue that starts a word."""
    cues = scan.cues
    if "key" not in cues and "password" not in cues:
        return []
    low, text = scan.low, scan.text
    found = []
    for pos, _ in cues.get("key", ()):
        m = _GENERIC.match(text, pos) if pos == 0 or not low[pos - 1].isalpha() else None
        if m is not None:
            value = m.group(1).rstrip(".")
            if _looks_random(value):
                found.append(PiiSpan(m.start(1), m.start(1) + len(value), "secret", value, 0.7))
    for pos, _ in cues.get("password", ()):
        m = _PASSWORD.match(text, pos) if pos == 0 or not low[pos - 1].isalpha() else None
        if m is not None:
            value = m.group(1).rstrip(".,;:)")
            if len(value) >= 6 and not value.isalpha() and not value.startswith(("http", "[")):
                found.append(PiiSpan(m.start(1), m.start(1) + len(value), "secret", value, 0.7))
    return found


def _looks_random(value: str) -> bool:
    """A random-looking token, not a word, identifier or path: mixed letters and digits with
    >= 3 bits of entropy per char, or (letters only) >= 20 chars of well-mixed case."""
    if len(value) < 16 or value.isdigit():
        return False
    if value.count("/") > 2 or value.count(".") > 2 or value.count("-") > 4:
        return False  # paths, dotted names, slugs
    letters = [c for c in value if c.isalpha()]
    if not letters:
        return False
    if not any(c.isdigit() for c in value):
        upper = sum(c.isupper() for c in letters) / len(letters)
        return len(value) >= 20 and 0.2 <= upper <= 0.8 and _entropy(value) >= 3.5
    return _entropy(value) >= 3.0
