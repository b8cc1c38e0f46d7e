"""Masking of identity numbers (居民身份证号码) in exported files.

Why the birth-date digits: an 18-character number is region (6) + birth date (8) + sequence (3)
+ check (1). The region and the last four let an inspector tell people apart and match a paper
file, while the birth date is what turns a number into personal data that identifies a person
outside the county. The 15-character numbers of before 1999 carry a 6-digit birth date at the
same position. Numbers of any other length are damaged (Excel, typos); where the birth date is
cannot be known, so everything after the region code is hidden.

`scrub_text` is defence in depth for masked exports: every text cell passes through it, so a
number that slipped into free text (a quarantine reason, a finding's sentence) is masked too.
"""

from __future__ import annotations

import re

MASK_CHAR = "*"

#: An 18-character (17 digits + digit/X) or a 15-digit number standing on its own in text.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id(number: str | None) -> str | None:
    """Hide the birth-date digits: `320102198503071234` → `320102********1234`."""
    if number is None:
        return None
    text = number.strip()
    if not text:
        return text
    if len(text) == 18:
        return text[:6] + MASK_CHAR * 8 + text[14:]
    if len(text) == 15:
        return text[:6] + MASK_CHAR * 6 + text[12:]
    if len(text) > 6:
        return text[:6] + MASK_CHAR * (len(text) - 6)
    return MASK_CHAR * len(text)


def scrub_text(text: str) -> str:
    """Mask every identity-number-shaped token inside free text."""
    return _ID_IN_TEXT.sub(lambda m: mask_id(m.group(1)) or "", text)


def looks_unmasked(text: str) -> bool:
    """True when the text holds an identity-number-shaped token that is not masked."""
    return _ID_IN_TEXT.search(text) is not None
