"""Shingle hashes of many texts at once, in numpy: no Python object per word or shingle.

The texts of a shard are joined (NUL between texts) and read as one array: UTF-8 bytes for word
shingles, code points for character shingles. A word's hash is the polynomial
``sum(b_j * P**(j - start))`` modulo 2**32 (numpy's ``uint32`` wraps), computed for all words at
once as a sum over each word of ``b_j * P**j`` (:func:`numpy.add.reduceat`) scaled by
``P**-start``: the same for the same bytes wherever they are. A shingle of ``n`` consecutive
units (words or characters) of one text is the polynomial of their hashes in a second base, and
a splitmix64 finaliser spreads its bits. A text with fewer than ``n`` units has one shingle, the
whole text. Hashes are deterministic: the same in every process and run.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Unit = Literal["word", "char"]
U64 = npt.NDArray[np.uint64]
Index = npt.NDArray[np.intp]

#: the bases of the polynomials (odd, so invertible): of a word's bytes (modulo 2**32) and of a
#: shingle's units (modulo 2**64)
_P32 = 0x01000193
_Q = 0x9E3779B97F4A7C15

_powers32: list[tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]] = []


def _power_tables32(n: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """``P**j`` and ``P**-j`` modulo 2**32 for ``j < n`` (grown by doubling, kept per process)."""
    if not _powers32 or len(_powers32[0][0]) < n:
        size = max(n, 2 * len(_powers32[0][0]) if _powers32 else 0, 1 << 16)
        p32 = _P32
        up = np.full(size, p32, dtype=np.uint32)
        down = np.full(size, pow(p32, -1, 1 << 32), dtype=np.uint32)
        up[0] = down[0] = 1
        with np.errstate(over="ignore"):
            _powers32[:] = [(np.cumprod(up, dtype=np.uint32), np.cumprod(down, dtype=np.uint32))]
    up_table, down_table = _powers32[0]
    return up_table[:n], down_table[:n]


def _mix(x: U64) -> U64:
    """splitmix64's finaliser, element-wise."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_hashes(
    texts: list[str], ngram: int = 5, unit: Unit = "word"
) -> tuple[U64, npt.NDArray[np.int64]]:
    """The shingle hashes of every text, flat, and ``offsets`` (``len(texts) + 1``): text ``i``'s
    hashes are ``hashes[offsets[i]:offsets[i + 1]]`` (none for an empty text).

    Texts should be normalized first: words one space apart, no NUL (see ``Normalizer``).
    """
    if not texts:
        return np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    joined = "\x00".join(texts)
    if unit == "word":
        units, owner = _word_hashes(
            np.frombuffer(joined.encode("utf-8", "surrogatepass"), np.uint8)
        )
    else:
        units, owner = _char_units(joined)
    return _shingles(units, owner, len(texts), ngram)


def _word_hashes(data: npt.NDArray[np.uint8]) -> tuple[U64, Index]:
    """Each word's hash, and the text it is in.

    Words are hashed modulo 2**32 (half the memory traffic of the pass over every byte; a few
    hundred thousand distinct words rarely collide), shingles modulo 2**64. ``reduceat`` over the
    interleaved starts and ends sums each word and, in between, each gap, which is dropped.
    """
    seps = np.flatnonzero((data == 32) | (data == 0))
    starts = np.concatenate(([0], seps + 1))
    ends = np.concatenate((seps, [len(data)]))
    real = ends > starts
    starts, ends = starts[real], ends[real]
    owner = np.searchsorted(np.flatnonzero(data == 0), starts)
    if not len(starts):
        return np.zeros(0, dtype=np.uint64), owner
    up, down = _power_tables32(len(data) + 1)
    with np.errstate(over="ignore"):
        weighted = data.astype(np.uint32)
        weighted *= up[: len(data)]
        bounds = np.empty(2 * len(starts), dtype=np.intp)
        bounds[0::2], bounds[1::2] = starts, ends
        if bounds[-1] == len(data):  # reduceat needs indices inside the array
            weighted = np.append(weighted, np.uint32(0))
        sums = np.add.reduceat(weighted, bounds, dtype=np.uint32)[0::2]
        return (sums * down[starts]).astype(np.uint64), owner


def _char_units(joined: str) -> tuple[U64, Index]:
    """Each character's code point (NULs left out), and the text it is in."""
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    nuls = np.flatnonzero(cps == 0)
    keep = np.flatnonzero(cps != 0)
    return cps[keep].astype(np.uint64), np.searchsorted(nuls, keep)


def _shingles(
    units: U64, owner: Index, n_texts: int, ngram: int
) -> tuple[U64, npt.NDArray[np.int64]]:
    count = np.bincount(owner, minlength=n_texts)
    total = len(units)
    n_full = max(total - ngram + 1, 0)
    with np.errstate(over="ignore"):
        combined = np.zeros(n_full, dtype=np.uint64)
        for i in range(ngram):  # sum of units[k + i] * Q**(ngram - 1 - i)
            combined *= np.uint64(_Q)
            combined += units[i : i + n_full]
    valid = owner[:n_full] == owner[ngram - 1 : ngram - 1 + n_full]
    hashes, where = combined[valid], owner[:n_full][valid]
    short = np.flatnonzero((count > 0) & (count < ngram))
    if len(short):  # one shingle of the whole text, in the same polynomial of fewer units
        first = np.concatenate(([0], np.cumsum(count)[:-1]))
        extra = np.zeros(len(short), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k, text in enumerate(short):
                value = np.uint64(0)
                for h in units[first[text] : first[text] + count[text]]:
                    value = value * np.uint64(_Q) + h
                extra[k] = value
        hashes = np.concatenate((hashes, extra))
        where = np.concatenate((where, short))
        order = np.argsort(where, kind="stable")
        hashes, where = hashes[order], where[order]
    offsets = np.searchsorted(where, np.arange(n_texts + 1)).astype(np.int64)
    return _mix(hashes), offsets
