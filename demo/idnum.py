"""Identity numbers (GB 11643), credit codes (GB 32100) and the statutory retirement date.

The bulk needs millions of identity numbers, so their check digits are computed with numpy; the
scalar helpers use python-stdnum, and the tests check that both agree.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

_RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RIC_CHECK = np.array([c.encode() for c in "10X98765432"], dtype="S1")


def ric_prefix(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """The first 17 digits as int64: region (6) + yyyymmdd (8) + sequence (3)."""
    b = birth.astype("datetime64[D]")
    year = b.astype("datetime64[Y]").astype(np.int64) + 1970
    month = b.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (b - b.astype("datetime64[M]")).astype(np.int64) + 1
    ymd = year * 10000 + month * 100 + day
    return region.astype(np.int64) * 10**11 + ymd * 1000 + seq.astype(np.int64)


def ric_from_prefix(prefix: np.ndarray) -> np.ndarray:
    """Full 18-character numbers (numpy str array) from 17-digit int64 prefixes."""
    return ric_bytes_from_prefix(prefix).astype("U18")


def ric_bytes_from_prefix(prefix: np.ndarray) -> np.ndarray:
    """Full numbers as 18-byte ASCII strings (numpy S18): 18 bytes a number where a str
    array takes 72, which matters for the tens of millions of numbers of a large county."""
    total = np.zeros(prefix.shape, dtype=np.int64)
    rest = prefix.copy()
    for k in range(16, -1, -1):
        total += (rest % 10) * _RIC_WEIGHTS[k]
        rest //= 10
    del rest
    check = _RIC_CHECK[total % 11]
    return np.char.add(prefix.astype("S17"), check)


def ric(region: str, birth: date, seq: int) -> str:
    """One valid identity number; seq is the 3-digit order code (odd = male)."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def bad_check(number: str) -> str:
    """The same number with a wrong check digit."""
    right = number[-1]
    wrong = "0" if right != "0" else "1"
    return number[:-1] + wrong


def _org_code(body8: str) -> str:
    """GB 11714 organization code: 8 characters and its check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(category_code: str, registry: str, org8: str) -> str:
    """A valid USCC: '1' (机构编制) + category ('1' 机关, '2' 事业单位) + registry + org code."""
    body = "1" + category_code + registry + _org_code(org8)
    return body + stdnum_uscc.calc_check_digit(body + "0")


def retirement_date(birth: date, male: bool, worker: bool) -> date:
    """Statutory retirement date under the 2025 reform, as rules.md defines it."""
    if male:
        base, first, per, cap = 60, 1965 * 12, 4, 36
    elif worker:
        base, first, per, cap = 50, 1975 * 12, 2, 60
    else:
        base, first, per, cap = 55, 1970 * 12, 4, 36
    birth_month = birth.year * 12 + birth.month - 1
    n = birth_month - first + 1
    delay = 0 if n < 1 else min(cap, math.ceil(n / per))
    month = birth_month + base * 12 + delay
    return date(month // 12, month % 12 + 1, 1)
