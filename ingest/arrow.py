"""Arrow arrays from numpy and Python strings without `pyarrow.array`.

Why: `pa.array` asks pandas whether its argument is a pandas object — for numpy arrays and lists
alike — and so imports pandas (0.15–0.3 s) the first time anything is converted in a process.
`ingest` needs no pandas; on a small county that import was a fifth of the whole load. These
builders assemble the buffers directly (numpy, one `str.join` + encode); anything they cannot
take falls back to `pa.array`, which gives the same array.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

_NUMPY_TYPES = {
    np.dtype(np.int8): pa.int8(),
    np.dtype(np.int32): pa.int32(),
    np.dtype(np.int64): pa.int64(),
}


def numbers(values: np.ndarray) -> pa.Array:
    """A 1-D int8/int32/int64 numpy array as an Arrow array (no nulls; zero-copy)."""
    values = np.ascontiguousarray(values)
    arrow_type = _NUMPY_TYPES.get(values.dtype)
    if arrow_type is None or values.ndim != 1:
        return pa.array(values)
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def _validity(valid: np.ndarray) -> pa.Buffer | None:
    if valid.all():
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def strings(values: Sequence[str], empty_is_null: bool = False) -> pa.Array:
    """Python strings as an Arrow `string` array; with `empty_is_null`, '' becomes NULL.

    One `"\\x00".join` and one UTF-8 encode; the separators' positions give the offsets.
    """
    try:
        joined: str | None = "\x00".join(values)
    except TypeError:
        joined = None
    return _strings(values, joined, empty_is_null)


def text_strings(values: Sequence[object], empty_is_null: bool = False) -> pa.Array | None:
    """`strings(values)` when every value is a `str`, else None (a number, a date, None …).

    Why: the join `strings` starts with is itself the test, so a column of text (most columns
    of a sheet) is not also walked to collect its cells' types."""
    try:
        joined = "\x00".join(values)  # type: ignore[arg-type]
    except TypeError:
        return None
    return _strings(values, joined, empty_is_null)  # type: ignore[arg-type]


def _strings(values: Sequence[str], joined: str | None, empty_is_null: bool) -> pa.Array:
    count = len(values)
    try:
        data = None if joined is None else joined.encode("utf-8")
    except UnicodeEncodeError:
        data = None
    if data is None or len(data) >= 2**31 or data.count(b"\x00") != max(count - 1, 0):
        column = pa.array(list(values), pa.string())  # None cells, NUL characters, huge text
        if empty_is_null:
            import pyarrow.compute as pc

            column = pc.if_else(pc.equal(column, ""), None, column)
        return column
    if count == 0:
        empty = [None, pa.py_buffer(np.zeros(1, dtype=np.int32)), pa.py_buffer(b"")]
        return pa.Array.from_buffers(pa.string(), 0, empty)
    raw = np.frombuffer(data, dtype=np.uint8)
    separators = np.flatnonzero(raw == 0)
    offsets = np.empty(count + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:count] = separators - np.arange(count - 1)
    offsets[count] = len(data) - (count - 1)
    body = data.replace(b"\x00", b"") if count > 1 else data
    validity = None
    if empty_is_null:
        validity = _validity(offsets[1:] != offsets[:-1])
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(body)]
    return pa.Array.from_buffers(pa.string(), count, buffers)


def to_bools(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as a numpy bool array, NULL as False (bits unpacked directly:
    `to_numpy` on a boolean array goes through pandas' conversion machinery)."""
    if isinstance(array, pa.ChunkedArray):
        parts = [to_bools(chunk) for chunk in array.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    count, offset = len(array), array.offset
    validity, values = array.buffers()[0], array.buffers()[1]
    if values is None or count == 0:
        return np.zeros(count, dtype=bool)
    out = np.unpackbits(np.frombuffer(values, dtype=np.uint8), bitorder="little")
    out = out[offset : offset + count].astype(bool)
    if validity is not None and array.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        out &= bits[offset : offset + count].astype(bool)
    return out


def to_ints(array: pa.Array) -> np.ndarray:
    """An integer Arrow array without NULLs as numpy (a view of its buffer)."""
    dtype = _INT_DTYPES[array.type.id]
    start = array.offset
    return np.frombuffer(array.buffers()[1], dtype=dtype)[start : start + len(array)]


_INT_DTYPES = {
    pa.int8().id: np.int8,
    pa.int32().id: np.int32,
    pa.int64().id: np.int64,
}


def booleans(values: np.ndarray) -> pa.Array:
    """A 1-D numpy bool array as an Arrow boolean array (no nulls)."""
    bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def codes_to_strings(codes: np.ndarray, letters: bytes) -> pa.Array:
    """int8 codes as one-letter strings: code 0 is NULL, code k is `letters[k - 1]`."""
    codes = np.asarray(codes, dtype=np.int8)
    valid = codes != 0
    table = np.frombuffer(b"\0" + letters, dtype=np.uint8)
    body = table[codes[valid]].tobytes()
    offsets = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(valid, out=offsets[1:])
    buffers = [_validity(valid), pa.py_buffer(offsets), pa.py_buffer(body)]
    return pa.Array.from_buffers(pa.string(), len(codes), buffers)
