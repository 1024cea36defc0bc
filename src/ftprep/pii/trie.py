"""Literal alternations compiled as a prefix trie.

Python's ``re`` tries the branches of ``Alice|Alan|Albert`` one after another at every
position; the trie form ``Al(?:ice|an|bert)`` shares prefixes and fails after one or two
characters, which makes a 400-name alternation as cheap as a short one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_Trie = dict[str, "_Trie"]


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching exactly the given words (the longest one at a position)."""
    root: _Trie = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _build(root)


def _build(node: _Trie) -> str:
    branches = [re.escape(ch) + _build(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class _Node:
    __slots__ = ("children", "tails")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.tails: set[str] = set()


def trie_alternation(entries: Iterable[tuple[Sequence[str], str]]) -> str:
    """A regex source matching any entry: its atoms in order (each the source of a
    one-character pattern, ``"a"`` or ``"[aA]"``), then its tail (``""`` or an assertion).

    Entries sharing leading atoms share a trie branch, and every branch opens with a literal
    or a character set, which ``re`` checks before entering it (see :func:`trie_pattern`).
    Longer entries are tried first; tails are tried after the longer entries, in sorted order.
    """
    root = _Node()
    for atoms, tail in entries:
        node = root
        for atom in atoms:
            node = node.children.setdefault(atom, _Node())
        node.tails.add(tail)
    return _build_alternation(root)


def _build_alternation(node: _Node) -> str:
    branches = [atom + _build_alternation(child) for atom, child in sorted(node.children.items())]
    tails = [""] if "" in node.tails else sorted(node.tails)
    alternatives = branches + tails
    if alternatives == [""] or not alternatives:
        return ""
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"
