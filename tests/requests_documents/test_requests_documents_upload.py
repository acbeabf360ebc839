"""Upload checks: the bytes decide the type, the name must agree, nothing typed is echoed."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Mapping

import pypdf
import pytest
from PIL import Image, ImageFile

from kojin.errors import InputError
from kojin.requests.documents import (
    ACCEPTED_TYPES,
    MAX_IMAGE_PIXELS,
    CheckedUpload,
    UploadRefused,
    check_upload,
)

LIMIT = 1024 * 1024


def _check(name: str, data: bytes, declared: str | None = None) -> CheckedUpload:
    return check_upload(filename=name, declared_type=declared, data=data, max_bytes=LIMIT)


def _refused(name: str, data: bytes, declared: str | None = None) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        _check(name, data, declared)
    refusal = caught.value
    assert isinstance(refusal, InputError)
    assert refusal.field == "document"
    assert str(refusal).startswith("document: ")
    return refusal


@pytest.mark.parametrize(
    ("sample", "name", "media_type"),
    [
        ("png", "scan.png", "image/png"),
        ("png", "SCAN.PNG", "image/png"),
        ("jpeg", "photo.jpg", "image/jpeg"),
        ("jpeg", "photo.JPEG", "image/jpeg"),
        ("jpeg", "photo.jfif", "image/jpeg"),
        ("pdf", "license.pdf", "application/pdf"),
        ("pdf_2_0", "license.pdf", "application/pdf"),
        ("pdf_weasyprint", "printed.pdf", "application/pdf"),
        ("pdf_binary_stream", "with-image.pdf", "application/pdf"),
        ("pdf_objstm_plain", "compressed.pdf", "application/pdf"),
        ("png", "no-extension", "image/png"),
        ("pdf", "Mr. Tanaka", "application/pdf"),
        ("jpeg", "運転免許証.jpg", "image/jpeg"),
        ("png", "C:\\Users\\me\\Desktop\\scan.png", "image/png"),
        ("png", "<script>alert(1)</script>.png", "image/png"),
    ],
)
def test_accepted_files(
    samples: Mapping[str, bytes], sample: str, name: str, media_type: str
) -> None:
    data = samples[sample]
    checked = _check(name, data)
    assert checked == CheckedUpload(
        media_type=media_type, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )
    assert checked.media_type in ACCEPTED_TYPES


def test_hand_built_pdfs_are_real_pdfs(samples: Mapping[str, bytes]) -> None:
    for name in ("pdf", "pdf_binary_stream", "pdf_objstm_plain"):
        reader = pypdf.PdfReader(io.BytesIO(samples[name]), strict=True)
        assert len(reader.pages) == 1
    text = pypdf.PdfReader(io.BytesIO(samples["pdf"])).pages[0].extract_text()
    assert "Identity document" in text


@pytest.mark.parametrize("declared", [None, "image/png", "application/octet-stream", "text/html"])
def test_declared_type_decides_nothing(samples: Mapping[str, bytes], declared: str | None) -> None:
    assert _check("scan.png", samples["png"], declared).media_type == "image/png"


@pytest.mark.parametrize(
    ("sample", "name", "reason"),
    [
        # the extension names another accepted type than the bytes
        ("png", "passport.pdf", "name_mismatch"),
        ("pdf", "passport.jpg", "name_mismatch"),
        ("jpeg", "passport.png", "name_mismatch"),
        # an extension that is not an accepted type's, whatever the bytes
        ("png", "passport.exe", "unsupported_type"),
        ("pdf", "passport.html", "unsupported_type"),
        ("png", "passport.png.exe", "unsupported_type"),
        ("png", "passport.exe.", "unsupported_type"),
        ("png", "passport.svg", "unsupported_type"),
        # the name is fine, the bytes are not an accepted type
        ("exe", "passport.pdf", "unsupported_type"),
        ("html", "passport.png", "unsupported_type"),
        ("svg", "passport.png", "unsupported_type"),
        ("gif", "passport", "unsupported_type"),
        ("text", "passport", "unsupported_type"),
        ("zip", "passport.pdf", "unsupported_type"),
    ],
)
def test_refused_by_name_and_bytes(
    samples: Mapping[str, bytes], sample: str, name: str, reason: str
) -> None:
    data = samples.get(sample) or OTHER_FILES[sample]
    assert _refused(name, data).reason == reason


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (2, 2)).save(out, "GIF")
    return out.getvalue()


def _zip() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


OTHER_FILES: Mapping[str, bytes] = {
    "exe": b"MZ\x90\x00\x03" + b"\x00" * 200,
    "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "gif": _gif(),
    "text": "これは本人確認書類です".encode(),
    "zip": _zip(),
}


def test_polyglots_are_refused(samples: Mapping[str, bytes]) -> None:
    png, pdf = samples["png"], samples["pdf"]
    html = b"<html><script>alert(1)</script></html>"
    # another format first, the accepted one later (PDF readers look 1024 bytes in)
    assert _refused("scan.png", html + png).reason == "unsupported_type"
    assert _refused("scan.pdf", html + pdf).reason == "unsupported_type"
    assert _refused("scan.pdf", b"\n\n" + pdf).reason == "unsupported_type"
    # an accepted signature with other content behind it
    assert _refused("scan.png", png + html).reason == "unsupported_type"
    assert _refused("scan.png", png + _zip()).reason == "unsupported_type"
    assert _refused("scan.jpg", b"\xff\xd8\xff" + pdf).reason == "unreadable"
    assert _refused("scan.png", b"\x89PNG\r\n\x1a\n" + pdf).reason == "unreadable"


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("pdf_javascript", "unsupported_type"),
        ("pdf_escaped_javascript", "unsupported_type"),
        ("pdf_launch", "unsupported_type"),
        ("pdf_embedded_file", "unsupported_type"),
        ("pdf_encrypted", "unsupported_type"),
        ("pdf_objstm_javascript", "unsupported_type"),
        ("pdf_objstm_unknown_filter", "unsupported_type"),
        ("pdf_objstm_corrupt", "unreadable"),
        ("pdf_no_eof", "unreadable"),
        ("pdf_bad_version", "unreadable"),
    ],
)
def test_pdfs_with_active_content_or_broken_structure(
    samples: Mapping[str, bytes], sample: str, reason: str
) -> None:
    assert _refused("document.pdf", samples[sample]).reason == reason


@pytest.mark.parametrize("pillow_loads_truncated", [False, True])
def test_truncated_files_are_unreadable(
    samples: Mapping[str, bytes], monkeypatch: pytest.MonkeyPatch, pillow_loads_truncated: bool
) -> None:
    # WeasyPrint turns this Pillow switch on for the whole process; the check must not care
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_loads_truncated)
    jpeg, png, pdf = samples["jpeg"], samples["png"], samples["pdf"]
    assert _check("a.jpg", jpeg).media_type == "image/jpeg"
    assert _refused("a.jpg", jpeg[:-2]).reason == "unreadable"
    assert _refused("a.jpg", jpeg[: len(jpeg) // 2]).reason == "unreadable"
    assert _refused("a.png", png[:-20] + png[-12:]).reason == "unreadable"
    assert _refused("a.pdf", pdf[: len(pdf) // 2]).reason == "unreadable"


def test_size_limit_is_checked_first_without_parsing(samples: Mapping[str, bytes]) -> None:
    png = samples["png"]
    with pytest.raises(UploadRefused) as caught:
        check_upload(filename="a.exe", declared_type=None, data=png, max_bytes=len(png) - 1)
    assert caught.value.reason == "too_large"
    assert check_upload(
        filename="a.png", declared_type=None, data=png, max_bytes=len(png)
    ).size == len(png)
    # garbage of the allowed size is judged; one byte more is too large before anything else
    assert _refused("a.png", b"\x00" * LIMIT).reason == "unsupported_type"
    assert _refused("a.png", b"\x00" * (LIMIT + 1)).reason == "too_large"


def test_empty_file(samples: Mapping[str, bytes]) -> None:
    assert _refused("a.png", b"").reason == "empty"
    assert _refused("", b"").reason == "empty"


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return struct.pack(">I", len(body)) + kind + body + crc


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` (the pixels never follow)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (20_001, 10),  # one side too long
        (8_000, 7_000),  # 56 megapixels, over the cap and under Pillow's own warning
        (20_000, 20_000),  # 400 megapixels: Pillow's own bomb error
    ],
)
def test_decompression_bombs_are_refused_from_the_header(width: int, height: int) -> None:
    assert width * height > MAX_IMAGE_PIXELS or max(width, height) > 20_000
    data = _png_header_only(width, height)
    assert len(data) < 100
    assert _refused("bomb.png", data).reason == "too_large"


@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"restart_marker_rows": 1}])
def test_large_but_reasonable_jpeg_passes(options: dict[str, object]) -> None:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).save(out, "JPEG", **options)
    assert _check("photo.jpg", out.getvalue()).media_type == "image/jpeg"


def test_bytes_after_a_jpeg_end_are_allowed(samples: Mapping[str, bytes]) -> None:
    # phones append data after the end of image (motion photos, maker trailers)
    assert _check("photo.jpg", samples["jpeg"] + b"\x00trailer").media_type == "image/jpeg"


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>.exe",
        "'; DROP TABLE requests; --.html",
        "山田太郎の免許証.exe",
        "<img src=x onerror=alert(1)>.pdf",
    ],
)
def test_refusals_never_echo_the_file_name(samples: Mapping[str, bytes], name: str) -> None:
    for data in (samples["png"], b"", b"x" * (LIMIT + 1), OTHER_FILES["html"]):
        with pytest.raises(UploadRefused) as caught:
            _check(name, data)
        message = str(caught.value)
        stem = name.rsplit(".", 1)[0]
        assert stem not in message
        assert "<" not in message
        assert "山田" not in message
        assert caught.value.reason in {"too_large", "empty", "unsupported_type", "name_mismatch"}
