"""Deterministic, realistic-looking record ids, built vectorised.

Salesforce ids are 15 characters (3-character key prefix, instance, record number in base 62)
plus a 3-character case-safe checksum. The record number here is `slot << 24 | local`, where
`slot` is 0 for the small global tables and `chunk + 1` for a chunk of leads, and `local` the
row number inside it; it is scrambled by a bijection on 40 bits so ids look random yet never
collide. Locals at and above `ORPHAN_BASE` are never emitted for real rows: orphan foreign keys
(dirt) use them, so they look exactly like real ids but match nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

LOCAL_BITS = 24
ORPHAN_BASE = (1 << LOCAL_BITS) - (1 << 16)
_MASK40 = np.uint64((1 << 40) - 1)
_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_CHECKSUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", np.uint8)
_DIGITS = 7  # 62**7 > 2**40


def record_numbers(slot: int, count: int, start: int = 0) -> np.ndarray:
    """Record numbers `start .. start + count - 1` of `slot` (a chunk index + 1, or 0)."""
    if start + count > ORPHAN_BASE:
        raise ValueError("too many records in one chunk for the id space")
    return (np.uint64(slot) << np.uint64(LOCAL_BITS)) + np.arange(
        start, start + count, dtype=np.uint64
    )


def orphan_numbers(slot: int, count: int) -> np.ndarray:
    """Record numbers that no real row uses (for orphan foreign keys)."""
    return (np.uint64(slot) << np.uint64(LOCAL_BITS)) + np.arange(
        ORPHAN_BASE, ORPHAN_BASE + count, dtype=np.uint64
    )


def _salt(prefix: str) -> np.uint64:
    value = 0
    for char in prefix.encode():
        value = (value * 131 + char) % (1 << 40)
    return np.uint64(value)


def _scramble(numbers: np.ndarray, salt: np.uint64) -> np.ndarray:
    """A bijection on [0, 2**40): odd multiplications and xor-shifts modulo 2**40."""
    x = (numbers.astype(np.uint64) + salt) & _MASK40
    x = (x * np.uint64(0x9E3779B97F)) & _MASK40
    x ^= x >> np.uint64(19)
    x = (x * np.uint64(0x5851F42D4D)) & _MASK40
    x ^= x >> np.uint64(21)
    return x


def _base62(values: np.ndarray) -> np.ndarray:
    out = np.empty((values.size, _DIGITS), np.uint8)
    rest = values.copy()
    for position in range(_DIGITS - 1, -1, -1):
        out[:, position] = _BASE62[(rest % np.uint64(62)).astype(np.intp)]
        rest //= np.uint64(62)
    return out


def _strings(buffer: np.ndarray) -> pa.StringArray:
    """Fixed-width ASCII rows (n x width uint8) -> an Arrow string array, without copies."""
    count, width = buffer.shape
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(buffer).ravel()
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))


def salesforce_ids(prefix: str, numbers: np.ndarray) -> pa.StringArray:
    """18-character Salesforce-style ids (`prefix` is the 3-character key prefix)."""
    count = numbers.size
    buffer = np.empty((count, 18), np.uint8)
    head = np.frombuffer((prefix + "5g000").encode(), np.uint8)
    buffer[:, :8] = head
    buffer[:, 8:15] = _base62(_scramble(numbers, _salt(prefix)))
    upper = (buffer[:, :15] >= ord("A")) & (buffer[:, :15] <= ord("Z"))
    weights = np.array([1, 2, 4, 8, 16], np.uint8)
    for block in range(3):
        bits = upper[:, block * 5 : block * 5 + 5].astype(np.uint8) @ weights
        buffer[:, 15 + block] = _CHECKSUM[bits]
    return _strings(buffer)


def prefixed_ids(prefix: str, numbers: np.ndarray) -> pa.StringArray:
    """Ids like `sub_1Pq...`: a prefix and 14 base-62 characters (billing-system style)."""
    count = numbers.size
    head = np.frombuffer(prefix.encode(), np.uint8)
    buffer = np.empty((count, head.size + 2 * _DIGITS), np.uint8)
    buffer[:, : head.size] = head
    buffer[:, head.size : head.size + _DIGITS] = _base62(_scramble(numbers, _salt(prefix)))
    buffer[:, head.size + _DIGITS :] = _base62(_scramble(numbers, _salt(prefix + "#")))
    return _strings(buffer)
