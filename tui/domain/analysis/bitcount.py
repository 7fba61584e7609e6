"""Counts per group and statement read straight off the returns' bitmaps.

A Boolean column of the wide frame is held by polars (as by Arrow) as two bitmaps, one bit per
return: whether the bank's page was present, and whether the statement was highlighted. A group
(wave 2015 · HD) is a bitmap too. So a group's n for a statement is the number of bits set in
group AND present, and its count highlighted the bits set in group AND present AND highlighted:
a few machine words per 64 returns, where a ``group_by`` needs a count and a sum for each statement
column, 120 aggregations (bench/analysis_bench.py: about 10 times faster on 1,000,000 returns). The counts are exact integers either way; tests compare the two.

The bitmaps are read through the Arrow C stream interface that polars exports
(``Series.__arrow_c_stream__``, a stable ABI), copied out, and released at once. Where that is not
possible (a column sliced off a byte boundary), the same bits are made with ``to_numpy`` and
``packbits``: slower, same result.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np
import polars as pl

_BITS_IN_BYTE = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


# --- the Arrow C data interface (arrow.apache.org/docs/format/CDataInterface.html) ---------------


class _ArrowSchema(ctypes.Structure):
    pass


_ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64), ("children", ctypes.c_void_p),
    ("dictionary", ctypes.c_void_p), ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowSchema))),
    ("private_data", ctypes.c_void_p),
]


class _ArrowArray(ctypes.Structure):
    pass


_ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.c_void_p), ("dictionary", ctypes.c_void_p),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowArray))), ("private_data", ctypes.c_void_p),
]


class _ArrowArrayStream(ctypes.Structure):
    pass


_ArrowArrayStream._fields_ = [
    ("get_schema", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_ArrowArrayStream), ctypes.POINTER(_ArrowSchema))),
    ("get_next", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_ArrowArrayStream), ctypes.POINTER(_ArrowArray))),
    ("get_last_error", ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.POINTER(_ArrowArrayStream))),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowArrayStream))),
    ("private_data", ctypes.c_void_p),
]

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _arrow_bitmaps(series: pl.Series, words: int) -> tuple[np.ndarray | None, np.ndarray] | None:
    """(present, true) bitmaps of a one-chunk Boolean series starting on a byte boundary, copied
    from Arrow's buffers (bit i of the column is bit i % 8 of byte i // 8), or None for any other
    layout. present is None when no value is missing. Bits past the end are not cleared."""
    capsule = series.__arrow_c_stream__()
    stream = ctypes.cast(_capsule_pointer(capsule, b"arrow_array_stream"), ctypes.POINTER(_ArrowArrayStream)).contents
    found: list[tuple[np.ndarray | None, np.ndarray] | None] = []
    while True:
        array = _ArrowArray()
        if stream.get_next(ctypes.byref(stream), ctypes.byref(array)) != 0:
            return None
        if not array.release:  # the end of the stream
            break
        try:
            usable = not found and array.offset % 8 == 0 and array.n_buffers == 2 and array.buffers[1]
            if not usable:
                found.append(None)
                continue
            size = min((array.offset + array.length + 7) // 8 - array.offset // 8, words * 8)
            true = _copied(array.buffers[1], array.offset // 8, size, words)
            assert true is not None  # usable: the values buffer is there
            present = _copied(array.buffers[0], array.offset // 8, size, words) if array.null_count else None
            found.append((present, true))
        finally:
            array.release(ctypes.byref(array))
    # The capsule releases the stream when it is collected.
    return found[0] if len(found) == 1 else None


def _copied(address: int | None, start: int, size: int, words: int) -> np.ndarray | None:
    """``size`` bytes from ``start`` of the buffer at ``address`` as ``words`` 64-bit words, zero
    beyond; None for no buffer (Arrow leaves out the validity bitmap when nothing is missing)."""
    if not address:
        return None
    out = np.zeros(words, dtype=np.uint64)
    if size > 0:
        ctypes.memmove(out.ctypes.data, address + start, size)
    return out


def _packed(flags: np.ndarray, words: int) -> np.ndarray:
    """numpy Booleans as ``words`` 64-bit words of bits, zero beyond."""
    out = np.zeros(words * 8, dtype=np.uint8)
    packed = np.packbits(flags, bitorder="little")
    out[: packed.size] = packed
    return out.view(np.uint64)


def bitmaps(series: pl.Series, words: int) -> tuple[np.ndarray | None, np.ndarray]:
    """A Boolean series as (present, true) bitmaps of ``words`` 64-bit words; present is None when
    nothing is missing. Bits past the series' end may be set: mask them with a group bitmap."""
    found = None
    if series.dtype == pl.Boolean:
        try:
            found = _arrow_bitmaps(series if series.n_chunks() == 1 else series.rechunk(), words)
        except AttributeError:  # a polars without the Arrow stream export
            found = None
    if found is not None:
        return found
    flags = series.cast(pl.Boolean)
    present = _packed(flags.is_not_null().to_numpy(), words) if flags.null_count() else None
    return present, _packed(flags.fill_null(False).to_numpy(), words)


def popcounts(words: np.ndarray) -> np.ndarray:
    """Bits set along the last axis of a uint64 array."""
    if hasattr(np, "bitwise_count"):  # numpy 2
        counts: np.ndarray = np.bitwise_count(words).sum(axis=-1, dtype=np.int64)
    else:
        counts = _BITS_IN_BYTE[words.view(np.uint8)].sum(axis=-1, dtype=np.int64)
    return counts


def _first_row(bits: np.ndarray) -> int | None:
    """The index of the lowest set bit, or None."""
    nonzero = np.flatnonzero(bits)
    if not nonzero.size:
        return None
    word = int(bits[nonzero[0]])
    return int(nonzero[0]) * 64 + (word & -word).bit_length() - 1


def _split(column: pl.Series, words: int, rows: np.ndarray) -> list[tuple[object, np.ndarray]]:
    """(value, bitmap of its rows) for each value of ``column``, null included, found without
    hashing: each value is the first row's not yet matched, and its rows one comparison away."""
    parts: list[tuple[object, np.ndarray]] = []
    left = rows.copy()
    if column.null_count():
        missing = _packed(column.is_null().to_numpy(), words)
        parts.append((None, missing))
        left &= ~missing
    while (row := _first_row(left)) is not None:
        value = column[row]
        present, same = bitmaps(column == value, words)
        same = same if present is None else same & present
        parts.append((value, same))
        left &= ~same
    return parts


def group_counts(frame: pl.DataFrame, keys: Sequence[str], columns: Sequence[str]) -> pl.DataFrame:
    """One row per combination of ``keys`` present in ``frame`` (null a value like any other), with
    ``n\\x1f<column>`` (rows where the column is not null) and ``x\\x1f<column>`` (rows where it is
    true) for each Boolean column, as Int64. The same as a ``group_by(keys)`` with ``count()`` and
    ``sum()`` of each column, in no particular row order."""
    height = frame.height
    words = max((height + 63) // 64, 1)
    everyone = _packed(np.ones(height, dtype=bool), words)
    groups: list[tuple[tuple[object, ...], np.ndarray]] = [((), everyone)] if height else []
    for key in keys:
        values = _split(frame[key], words, everyone) if groups else []
        groups = [((*chosen, value), both) for chosen, rows in groups for value, rows_of_value in values
                  if (both := rows & rows_of_value).any()]
    membership = np.stack([rows for _chosen, rows in groups]) if groups else np.zeros((0, words), np.uint64)
    sizes = popcounts(membership)
    counts = np.empty((len(groups), 2 * len(columns)), dtype=np.int64)  # n and x of each column
    last: tuple[np.ndarray, np.ndarray] | None = None  # the previous column's present bits and n
    for j, name in enumerate(columns):
        present, true = bitmaps(frame[name], words)
        if present is None:
            n = sizes
        elif last is not None and np.array_equal(present, last[0]):
            n = last[1]  # a bank's statements share their missing pages: counted once
        else:
            n = popcounts(membership & present)
            last = (present, n)
        counts[:, 2 * j] = n
        counts[:, 2 * j + 1] = popcounts(membership & (true if present is None else true & present))
    labels = pl.DataFrame([pl.Series(key, [chosen[i] for chosen, _rows in groups], dtype=frame.schema[key])
                           for i, key in enumerate(keys)])
    names = [f"{kind}\x1f{name}" for name in columns for kind in ("n", "x")]
    counted = pl.DataFrame(counts, schema=names, orient="row")
    return pl.concat([labels, counted], how="horizontal") if keys else counted
