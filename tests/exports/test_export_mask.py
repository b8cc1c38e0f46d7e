"""Masking of identity numbers: the birth-date digits never leave in a masked export."""

from __future__ import annotations

import pytest

from exports.mask import looks_unmasked, mask_id, scrub_text


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("320102198503071234", "320102********1234"),
        ("32010219850307123X", "320102********123X"),
        (" 320102198503071234 ", "320102********1234"),
        ("320102850307123", "320102******123"),  # 15-digit number of before 1999
        ("320102198503", "320102******"),  # damaged: everything after the region hidden
        ("12345", "*****"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_id(number: str | None, masked: str | None) -> None:
    assert mask_id(number) == masked


def test_mask_hides_exactly_positions_7_to_14() -> None:
    number = "320102198503071234"
    masked = mask_id(number)
    assert masked is not None and len(masked) == 18
    assert [i + 1 for i, c in enumerate(masked) if c == "*"] == list(range(7, 15))
    assert masked[:6] == number[:6] and masked[14:] == number[14:]


def test_scrub_text_masks_numbers_inside_free_text_only() -> None:
    text = "重复行：320102199001010011，另见32010219850307123X；编码 12345678901234567890"
    scrubbed = scrub_text(text)
    assert "320102********0011" in scrubbed
    assert "320102********123X" in scrubbed
    assert "12345678901234567890" in scrubbed  # 20 digits: not an identity number
    assert not looks_unmasked(scrubbed)
    assert looks_unmasked(text)
