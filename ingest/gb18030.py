"""GB18030 text to UTF-8, with the C library's iconv where it has one.

Why: DuckDB parses only UTF-8 (its `encodings` extension cannot be installed offline), so a
GB18030 csv file is transcoded to a UTF-8 copy first. CPython's codec did that for the L roster
(321 MB) in 1.4 s of decoding and 0.55 s of encoding, holding the GIL while the batch's other
files were being read and typed; glibc's iconv does it in ~0.55 s through ctypes, which
releases the GIL for the call.

Which GB18030: the 2022 edition, in force since 2023-08. It moved 25 two-byte codes out of the
Private Use Area to the characters they stand for (A6D9 → ︐ U+FE10, A8BC → ḿ U+1E3F,
FE59 → 龴 U+9FB4, …, `GB18030_2022`). glibc's iconv (2.36 here) follows it; CPython's codec
still gives the old PUA code points, so its text is translated. Everything else decodes alike,
checked code by code in `tests/ingest/test_gb18030.py`, except one four-byte code, where iconv
follows the standard and CPython does not: 8135F437 is U+E7C7 (CPython reads it as ḿ, its code
in the 2005 edition). A piece CPython decodes (below) keeps CPython's reading of it.

A piece iconv refuses is decoded by CPython, whose error names the first bad byte: the 18
four-byte codes of characters the 2022 edition gives two-byte codes (CPython decodes them to
the same characters) and undecodable input (CPython raises, as before). Without a usable iconv
(not glibc, or no GB18030 converter), every piece is decoded by CPython.
"""

from __future__ import annotations

import ctypes
import platform
import re

#: The two-byte codes the 2022 edition moved out of the Private Use Area, and their characters.
GB18030_2022 = {
    b"\xa6\xd9": "\ufe10",
    b"\xa6\xda": "\ufe12",
    b"\xa6\xdb": "\ufe11",
    b"\xa6\xdc": "\ufe13",
    b"\xa6\xdd": "\ufe14",
    b"\xa6\xde": "\ufe15",
    b"\xa6\xdf": "\ufe16",
    b"\xa6\xec": "\ufe17",
    b"\xa6\xed": "\ufe18",
    b"\xa6\xf3": "\ufe19",
    b"\xa8\xbc": "\u1e3f",
    b"\xfe\x51": "\U00020087",
    b"\xfe\x52": "\U00020089",
    b"\xfe\x53": "\U000200cc",
    b"\xfe\x59": "\u9fb4",
    b"\xfe\x61": "\u9fb5",
    b"\xfe\x66": "\u9fb6",
    b"\xfe\x67": "\u9fb7",
    b"\xfe\x6c": "\U000215d7",
    b"\xfe\x6d": "\u9fb8",
    b"\xfe\x76": "\U0002298f",
    b"\xfe\x7e": "\u9fb9",
    b"\xfe\x90": "\u9fba",
    b"\xfe\x91": "\U000241fe",
    b"\xfe\xa0": "\u9fbb",
}
_OLD = {code.decode("gb18030"): char for code, char in GB18030_2022.items()}
_TO_2022 = str.maketrans(_OLD)
_OLD_CHARS = re.compile("[" + "".join(_OLD) + "]")
_FAILED = ctypes.c_size_t(-1).value
_CharPointer = ctypes.POINTER(ctypes.c_char_p)
_SizePointer = ctypes.POINTER(ctypes.c_size_t)


def _python_utf8(piece: bytes) -> bytes:
    """A piece of GB18030 as UTF-8 by CPython's codec (raises its UnicodeDecodeError)."""
    text = piece.decode("gb18030")
    if _OLD_CHARS.search(text):
        text = text.translate(_TO_2022)
    return text.encode("utf-8")


def _iconv_functions() -> tuple[ctypes._CFuncPtr, ctypes._CFuncPtr, ctypes._CFuncPtr] | None:
    """glibc's iconv_open, iconv and iconv_close, typed; None elsewhere."""
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        open_, iconv, close = libc.iconv_open, libc.iconv, libc.iconv_close
    except (OSError, AttributeError):
        return None
    open_.restype, open_.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_char_p]
    iconv.restype = ctypes.c_size_t
    iconv.argtypes = [ctypes.c_void_p, _CharPointer, _SizePointer, _CharPointer, _SizePointer]
    close.restype, close.argtypes = ctypes.c_int, [ctypes.c_void_p]
    return open_, iconv, close


class ToUtf8:
    """A GB18030 → UTF-8 transcoder for the pieces of one file (an iconv descriptor holds
    state, so one per file and thread): `convert` a piece at a time, then `close`."""

    def __init__(self, use_iconv: bool = True) -> None:
        self._functions = _iconv_functions() if use_iconv else None
        self._cd: int | None = None
        if self._functions is not None:
            cd = self._functions[0](b"UTF-8", b"GB18030")
            self._cd = None if cd in (None, _FAILED) else cd
        self._out = bytearray()

    @property
    def uses_iconv(self) -> bool:
        return self._cd is not None

    def convert(self, piece: bytes) -> bytes:
        """The piece as UTF-8; raises CPython's UnicodeDecodeError for undecodable input. The
        piece must end at a character boundary (the pieces of a file are cut after a line
        break)."""
        if self._cd is None or self._functions is None:
            return _python_utf8(piece)
        iconv = self._functions[1]
        if len(self._out) < len(piece) * 3 // 2 + 8:  # at most 3 UTF-8 bytes per 2 GB18030
            self._out = bytearray(len(piece) * 3 // 2 + 8)
        out = (ctypes.c_char * len(self._out)).from_buffer(self._out)
        in_ptr, in_left = ctypes.c_char_p(piece), ctypes.c_size_t(len(piece))
        out_ptr = ctypes.cast(out, ctypes.c_char_p)
        out_left = ctypes.c_size_t(len(self._out))
        done = iconv(self._cd, in_ptr, in_left, out_ptr, out_left)
        written = len(self._out) - out_left.value
        del out, out_ptr  # the buffer may be resized by the next call
        if done == _FAILED or in_left.value:
            iconv(self._cd, None, None, None, None)  # back to the initial state
            return _python_utf8(piece)
        return bytes(memoryview(self._out)[:written])

    def close(self) -> None:
        if self._cd is not None and self._functions is not None:
            self._functions[2](self._cd)
            self._cd = None
