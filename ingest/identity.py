"""Identity numbers (GB 11643), unified social credit codes (GB 32100) and person_key — as SQL.

Why SQL, including the HMAC: person_key must be computed for every roster row of every batch.
DuckDB has SHA-256 but no HMAC, and HMAC is two SHA-256 passes over padded keys
(RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))), so the padded keys are computed once in Python
and bound as BLOB parameters, and DuckDB does the rest in parallel (~1 M rows/s per core;
a Python `hmac` loop is ~3× slower and single-threaded). The key never appears in SQL text.

Identity numbers are normalised (trim, full-width → half-width, `x` → `X`) and never repaired.
id_problem, first that applies:
  `missing`          blank cell (the row is kept when a name is given)
  `excel_damaged`    the cell was an Excel number, or text in exponent form (`3.20102198503E+17`);
                     id_number holds the plain integer text (`320102198503000000`)
  `bad_length`       not 18 characters
  `bad_format`       not 17 digits + digit/X, or positions 7–14 are no real date
  `bad_check_digit`  GB 11643 check character wrong
  `birth_mismatch`   positions 7–14 disagree with 出生日期 (only year and month are compared when
                     出生日期 gave only a month, e.g. `1985.03`)
  `gender_mismatch`  the 17th digit's parity disagrees with 性别 (odd = 男)
id_valid is true exactly when id_problem is NULL.

person_key = first 16 lower-case hex characters of HMAC-SHA256(key, text UTF-8) where text is the
normalised identity number as it stands (damaged numbers included). For a row without an identity
number but with a name, text is `name:` + the normalised name: stable across batches (a person
keeps their key while the number is still missing), at the price that two people of one name
without numbers share a key — they are flagged `missing` (INVALID_ID) anyway, and a key over file
and row number would change every night and break first_seen.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest import arrow
from ingest.normalise import lit

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
EXPONENT_FORM = r"\d(\.\d+)?E\+?\d+"
MISSING_ID_PREFIX = "name:"


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """(K ⊕ ipad, K ⊕ opad) of RFC 2104 for SHA-256 (block size 64)."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def person_key_sql(text: str, ipad_param: str = "$ipad", opad_param: str = "$opad") -> str:
    """16-hex person_key of a VARCHAR expression; binds the pads as BLOB parameters."""
    inner = f"sha256({ipad_param} || encode({text}))"
    return f"left(sha256({opad_param} || unhex({inner})), 16)"


def id_text_sql(text: str) -> str:
    """Normalised id text (`x` → `X`); `text` is already trimmed and width-folded."""
    return f"upper({text})"


def id_number_sql(id_text: str) -> str:
    """The id as stored: exponent-form text written out as a plain integer, else unchanged."""
    mantissa = f"replace(split_part({id_text}, 'E', 1), '.', '')"
    exponent = f"try_cast(split_part({id_text}, 'E', 2) as integer)"
    return (
        f"case when regexp_full_match({id_text}, {lit(EXPONENT_FORM)}) "
        f"and length({mantissa}) <= {exponent} + 1 "
        f"then rpad({mantissa}, {exponent} + 1, '0') else {id_text} end"
    )


def id_damaged_sql(id_text: str, kind: str | None) -> str:
    """True when the id arrived as an Excel number (cell kind `n` or exponent-form text)."""
    exp = f"coalesce(regexp_full_match({id_text}, {lit(EXPONENT_FORM)}), false)"
    if kind is None:
        return exp
    return f"(coalesce({kind} = 'n', false) or {exp})"


SHAPE_CODES = {1: "bad_length", 2: "bad_format", 3: "bad_check_digit"}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _validity(column: pa.Array) -> np.ndarray:
    """Boolean numpy mask of the non-null cells (unpacked bits; `is_valid().to_numpy()` is
    ~0.3 s at 2 M rows)."""
    bitmap = column.buffers()[0]
    if column.null_count == 0 or bitmap is None:
        return np.ones(len(column), dtype=bool)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[column.offset : column.offset + len(column)].astype(bool)


def id_shape(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Per identity number (normalised text), as int8: 0 = fine or blank, 1 = bad_length,
    2 = bad_format (not 17 digits + digit/X, or positions 7–14 no real date), 3 = bad check
    character (GB 11643: weights 2^(17-i) mod 11, check `10X98765432`[sum mod 11]).

    Computed with numpy over the fixed-width bytes of the 18-character numbers: the check digit
    is 17 multiplications per row, which as SQL string functions cost more than the rest of the
    roster's typing together. A chunked column is checked chunk by chunk: its numpy
    temporaries (~75 bytes a row) then never exist for 2 M rows at once, at the moment the
    roster's whole text is in memory.
    """
    if isinstance(texts, pa.ChunkedArray):
        parts = [_codes(chunk) for chunk in texts.chunks]
        return arrow.numbers(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int8))
    return arrow.numbers(_codes(texts))


def _codes(column: pa.Array) -> np.ndarray:
    """`id_shape` of one array, as numpy int8."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.large_string())
    count = len(column)
    codes = np.zeros(count, dtype=np.int8)
    if count == 0 or column.null_count == count:
        return codes
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(column.buffers()[1], dtype=width)[
        column.offset : column.offset + count + 1
    ].astype(np.int64)
    valid = _validity(column)
    # Byte lengths from the offsets (no utf8_length pass, no upper-cased copy: upper-casing only
    # matters for a final `x`, handled below; it maps code point to code point, so lengths hold).
    idx18 = np.flatnonzero(valid & (np.diff(offsets) == 18))
    starts = offsets[idx18]
    if len(idx18) and np.all(np.diff(starts) == 18):  # the usual case: one contiguous run
        data = column.buffers()[2]
        block = np.frombuffer(data, dtype=np.uint8)[starts[0] : starts[0] + 18 * len(idx18)]
    elif len(idx18):
        sel = pc.take(column, arrow.numbers(idx18))
        sel_offsets = np.frombuffer(sel.buffers()[1], dtype=width)
        first = int(sel_offsets[sel.offset])
        block = np.frombuffer(sel.buffers()[2], dtype=np.uint8)[first : first + 18 * len(idx18)]
    else:
        block = np.zeros(0, dtype=np.uint8)
    # Position-major (18 × rows, contiguous): every step below is a 1-D pass over a row of it,
    # several times faster than strided column slices of rows × 18.
    block = block.reshape(len(idx18), 18).T.copy()  # a writable C-ordered copy
    ascii18 = (block < 0x80).all(axis=0)
    rows = idx18[ascii18]  # 18 ASCII characters
    others = valid.copy()
    others[rows] = False
    other = np.flatnonzero(others)
    if len(other):  # not 18 characters → bad_length; 18 characters, not all ASCII → bad_format
        chars = arrow.to_ints(pc.utf8_length(pc.take(column, arrow.numbers(other))))
        codes[other] = np.where(chars == 18, 2, 1)
    if len(rows) == 0:
        return codes
    raw = block if ascii18.all() else block[:, ascii18]
    raw[17][raw[17] == ord("x")] = ord("X")  # normalised ids are upper-case
    digits = raw.view(np.int8) - np.int8(48)  # ASCII: an int8 view holds every byte

    def digit(i: int) -> np.ndarray:
        return digits[i].astype(np.int32)

    last = digit(17)
    x_check = ord("X") - 48
    shape_ok = ((raw[:17] - np.uint8(48)) <= 9).all(axis=0)
    shape_ok &= ((last >= 0) & (last <= 9)) | (last == x_check)
    year = digit(6) * 1000 + digit(7) * 100 + digit(8) * 10 + digit(9)
    month = digit(10) * 10 + digit(11)
    day = digit(12) * 10 + digit(13)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last_day = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + (leap & (month == 2))
    shape_ok &= month_ok & (day >= 1) & (day <= last_day)
    weighted = np.zeros(len(rows), dtype=np.int32)
    for i, weight in enumerate(ID_WEIGHTS):
        weighted += digit(i) * weight
    check = np.frombuffer(ID_CHECK.encode(), dtype=np.uint8)[weighted % 11]
    check_ok = check == (last + 48)
    codes[rows[~shape_ok]] = 2
    codes[rows[shape_ok & ~check_ok]] = 3
    return codes


def id_problem_sql(
    id_number: str,
    damaged: str,
    shape: str,
    birth_date: str | None,
    birth_month_only: str | None,
    gender: str | None,
) -> str:
    """The id_problem code (NULL when valid); see the module docstring for the order.
    `shape` is the `id_shape` column of the normalised number."""
    shapes = " ".join(f"when {code} then {lit(name)}" for code, name in SHAPE_CODES.items())
    branches = [
        f"when {id_number} is null then 'missing'",
        f"when {damaged} then 'excel_damaged'",
        f"when {shape} <> 0 then (case {shape} {shapes} end)",
    ]
    if birth_date is not None:
        month = birth_month_only or "false"
        branches.append(
            f"when {birth_date} is not null and (case when {month} "
            f"then substr({id_number}, 7, 6) <> strftime({birth_date}, '%Y%m') "
            f"else substr({id_number}, 7, 8) <> strftime({birth_date}, '%Y%m%d') end) "
            "then 'birth_mismatch'"
        )
    if gender is not None:
        branches.append(
            f"when {gender} is not null and {gender} <> "
            f"(case when (ascii(substr({id_number}, 17, 1)) - 48) % 2 = 1 then '男' else '女' end) "
            "then 'gender_mismatch'"
        )
    return "case " + " ".join(branches) + " end"


def uscc_valid_sql(uscc: str) -> str:
    """GB 32100: 18 characters, the right alphabet, and the check character (NULL if blank)."""
    alphabet = lit(USCC_ALPHABET)
    terms = " + ".join(
        f"(instr({alphabet}, substr({uscc}, {i + 1}, 1)) - 1) * {w}"
        for i, w in enumerate(USCC_WEIGHTS)
    )
    pattern = lit(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
    return (
        f"case when {uscc} is null then null "
        f"when not regexp_full_match({uscc}, {pattern}) then false "
        f"else substr({alphabet}, ((31 - (({terms}) % 31)) % 31) + 1, 1) = right({uscc}, 1) end"
    )
