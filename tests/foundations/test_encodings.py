"""Reading text files as users have them: UTF-8 with or without BOM, Shift_JIS/CP932, named."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kojin.encodings import codec_name, decode, detect, read_text
from kojin.errors import InputError

TEXT = "氏名,住所,メール\n山田太郎,東京都千代田区丸の内一丁目,taro@example.jp\n" * 20


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("cp932"), "cp932"),
        (TEXT.encode("ascii", "ignore"), "utf-8-sig"),
    ],
    ids=["utf-8", "utf-8-bom", "cp932", "ascii"],
)
def test_detects_what_excel_and_editors_write(data: bytes, codec: str) -> None:
    assert detect(data) == codec
    expected = TEXT if codec == "cp932" or not data.isascii() else data.decode("ascii")
    assert decode(data, source="f.csv") == expected


def test_bom_is_not_part_of_the_text() -> None:
    text = decode(codecs.BOM_UTF8 + b"name\n", source="f.csv")
    assert text == "name\n"


def test_cp932_only_characters_are_read() -> None:
    # NEC and IBM extensions (①, ㈱, 髙) are CP932, not strict Shift_JIS
    text = "①番 ㈱髙島屋\n" * 30
    assert decode(text.encode("cp932"), source="f.txt") == text


@pytest.mark.parametrize("name", ["sjis", "Shift_JIS", "CP932", "windows-31j", "utf-8", "euc-jp"])
def test_user_names_of_encodings(name: str) -> None:
    codecs.lookup(codec_name(name))


def test_unknown_encoding_names_the_option() -> None:
    with pytest.raises(InputError) as info:
        codec_name("klingon-8")
    assert info.value.field == "encoding"


def test_undecodable_file_is_one_clear_error_without_content(tmp_path: Path) -> None:
    secret = "山田太郎 123456789018"
    path = tmp_path / "bad.csv"
    path.write_bytes(secret.encode("cp932"))
    with pytest.raises(InputError) as info:
        read_text(path, encoding="utf-8")
    message = info.value.message
    assert str(path) in message
    assert "byte" in message
    assert "山田" not in message
    assert "123456789018" not in message
    assert info.value.field == "encoding"


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_text(tmp_path / "absent.csv")
    assert info.value.field == "path"
