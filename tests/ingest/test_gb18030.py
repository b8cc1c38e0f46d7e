"""GB18030 → UTF-8 (`ingest.gb18030`): iconv and CPython's codec give the same text, code by
code, except where the module's docstring says they differ; undecodable input fails the same
way on both paths; a csv copy is the same file whichever path wrote it.

Every two-byte code and every four-byte code of the Basic Multilingual Plane is transcoded on
its own (in a line of its own, as a csv piece ends), and a sample of the supplementary planes'.
The comparison is with CPython's codec plus the 2022 edition's 25 two-byte codes."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from ingest import gb18030
from ingest import read as read_module
from ingest.errors import UnreadableSourceError

#: iconv follows the 2022 edition here, CPython does not (see the module docstring).
ICONV_ONLY = {b"\x81\x35\xf4\x37": "\ue7c7"}


def _two_byte_codes() -> list[bytes]:
    trails = [*range(0x40, 0x7F), *range(0x80, 0xFF)]
    return [bytes((lead, trail)) for lead in range(0x81, 0xFF) for trail in trails]


def _four_byte(index: int, first: int) -> bytes:
    """The index-th four-byte code from `first` (0x81 for the BMP, 0x90 for the others)."""
    b4, index = 0x30 + index % 10, index // 10
    b3, index = 0x81 + index % 126, index // 126
    b2, b1 = 0x30 + index % 10, first + index // 10
    return bytes((b1, b2, b3, b4))


BMP_FOUR_BYTE = 39420  # 0x81308130 … 0x8431A439: U+0080 … U+FFFF less the two-byte codes
SUPPLEMENTARY = 1058400  # 0x90308130 … 0xE3329A35: U+10000 … U+10FFFF


def _expected(code: bytes) -> str | None:
    """CPython's character with the 2022 edition's two-byte codes; None where it refuses."""
    if code in gb18030.GB18030_2022:
        return gb18030.GB18030_2022[code]
    try:
        return code.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _converted(transcoder: gb18030.ToUtf8, code: bytes) -> str | None:
    try:
        return transcoder.convert(code + b"\n").decode("utf-8")[:-1]
    except UnicodeDecodeError:
        return None


@pytest.fixture(scope="module")
def transcoder() -> gb18030.ToUtf8:
    with contextlib.closing(gb18030.ToUtf8()) as transcoder:
        if not transcoder.uses_iconv:
            pytest.skip("no glibc iconv with GB18030 on this machine")
        yield transcoder


def test_iconv_and_python_agree_on_every_code_but_the_one_named(
    transcoder: gb18030.ToUtf8,
) -> None:
    codes = _two_byte_codes() + [_four_byte(i, 0x81) for i in range(BMP_FOUR_BYTE)]
    codes += [_four_byte(i, 0x90) for i in range(0, SUPPLEMENTARY, 101)]
    differ = {
        code: _converted(transcoder, code)
        for code in codes
        if _converted(transcoder, code) != _expected(code)
    }
    assert differ == ICONV_ONLY


def test_the_2022_codes_come_out_as_their_characters_on_both_paths(
    transcoder: gb18030.ToUtf8,
) -> None:
    text = b"\xd5\xc5\xfe\x59,\xa8\xbc\xa6\xd9\n"  # 张龴,ḿ︐
    assert transcoder.convert(text) == "张龴,ḿ︐\n".encode()
    with contextlib.closing(gb18030.ToUtf8(use_iconv=False)) as python:
        assert not python.uses_iconv
        assert python.convert(text) == "张龴,ḿ︐\n".encode()


def test_a_piece_iconv_refuses_is_decoded_by_python(transcoder: gb18030.ToUtf8) -> None:
    """The 2005 edition's four-byte code of 龴 (the 2022 edition gives it FE59)."""
    assert transcoder.convert("张,".encode("gb18030") + b"\x82\x35\x90\x37\n") == "张,龴\n".encode()
    # and the descriptor is usable again afterwards
    assert transcoder.convert("李四\n".encode("gb18030")) == "李四\n".encode()


@pytest.mark.parametrize("use_iconv", [True, False])
def test_undecodable_input_raises_pythons_error(use_iconv: bool) -> None:
    piece = "张三,男\n".encode("gb18030") + b"\x81\x20\n"
    with contextlib.closing(gb18030.ToUtf8(use_iconv=use_iconv)) as transcoder:
        with pytest.raises(UnicodeDecodeError) as raised:
            transcoder.convert(piece)
    assert raised.value.start == len("张三,男\n".encode("gb18030"))


def _write_csv(tmp_path: Path) -> Path:
    lines = [
        "人员花名册",
        "",
        "身份证号,姓名",
        "",
        *(f"11010119900307{i:04d},张{i}龴" for i in range(3000)),
    ]
    path = tmp_path / "花名册.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030") + b"\r\n\n")
    return path


def test_a_csv_copy_is_the_same_whichever_path_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_module, "PIECE_BYTES", 4096)  # many pieces
    source = _write_csv(tmp_path)
    read_module._write_utf8_copy(source, tmp_path / "iconv.csv", "gb18030")
    monkeypatch.setattr(gb18030, "_iconv_functions", lambda: None)
    read_module._write_utf8_copy(source, tmp_path / "python.csv", "gb18030")
    copied = (tmp_path / "iconv.csv").read_bytes()
    assert copied == (tmp_path / "python.csv").read_bytes()
    expected = source.read_bytes().decode("gb18030").replace("\ue81e", "龴").encode()
    assert copied == expected.replace(b"\r\n\r\n", b"\r\n,\r\n").replace(b"\r\n\n", b"\r\n,\n")


@pytest.mark.parametrize("use_iconv", [True, False])
def test_an_undecodable_byte_names_its_place_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_iconv: bool
) -> None:
    monkeypatch.setattr(read_module, "PIECE_BYTES", 4096)
    if not use_iconv:
        monkeypatch.setattr(gb18030, "_iconv_functions", lambda: None)
    source = _write_csv(tmp_path)
    data = bytearray(source.read_bytes())
    data[20_000] = 0xFF  # not a GB18030 byte anywhere
    source.write_bytes(bytes(data))
    with pytest.raises(UnreadableSourceError) as raised:
        read_module._write_utf8_copy(source, tmp_path / "copy.csv", "gb18030")
    assert "20000" in str(raised.value) or "20,000" in str(raised.value)
