"""Real tiny files for the upload checks (built here, never stored in the repository), and a
registry holding two people's data for the disclosure package (``registry``, on SQLite and,
when configured, PostgreSQL: it uses the root conftest's ``database`` and ``cipher``).

``samples`` maps a name to bytes: images come from Pillow, PDFs are written by hand with a
correct cross-reference table (pypdf reads them back) or rendered by WeasyPrint.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Mapping

import pytest
from PIL import Image
from reqdocs_registry import Registry, build_registry

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database


def _png(size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _jpeg(size: tuple[int, int] = (160, 120)) -> bytes:
    # noise so that the scan is long enough for truncation to reach it
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def build_pdf(
    objects: list[bytes], *, version: bytes = b"1.4", trailer_extra: bytes = b""
) -> bytes:
    """A PDF of `objects` (object 1 first, each the text between ``obj`` and ``endobj``) with a
    correct cross-reference table; object 1 must be the catalog."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + trailer_extra + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


PAGE_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>",
    _stream(b"BT /F1 12 Tf 20 50 Td (Identity document) Tj ET"),
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def _pdf_with_catalog(catalog: bytes, *extra: bytes) -> bytes:
    return build_pdf([catalog, *PAGE_OBJECTS[1:], *extra])


def _object_stream_pdf(inner: bytes, *, filters: bytes = b" /Filter /FlateDecode") -> bytes:
    """A PDF whose object 6 lives in a compressed object stream (object 7)."""
    header = b"6 0 "
    content = header + inner
    data = zlib.compress(content) if b"Flate" in filters else content
    objstm = _stream(data, b" /Type /ObjStm /N 1 /First %d%s" % (len(header), filters))
    return _pdf_with_catalog(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>", objstm)


def _weasyprint_pdf() -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string="<p>身分証明書 identity</p>").write_pdf())


def _binary_stream_pdf() -> bytes:
    """A PDF whose image stream holds bytes that look like ``/JS`` (they are pixels, not names)."""
    pixels = b"\x00/JS /JavaScript\x00" * 8
    image = _stream(
        pixels,
        b" /Type /XObject /Subtype /Image /Width 8 /Height 8 "
        b"/ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    return build_pdf([*PAGE_OBJECTS, image])


def _build_samples() -> dict[str, bytes]:
    png, jpeg = _png(), _jpeg()
    plain_pdf = build_pdf(PAGE_OBJECTS)
    js = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    return {
        "png": png,
        "jpeg": jpeg,
        "pdf": plain_pdf,
        "pdf_weasyprint": _weasyprint_pdf(),
        "pdf_binary_stream": _binary_stream_pdf(),
        "pdf_2_0": build_pdf(PAGE_OBJECTS, version=b"2.0"),
        "pdf_javascript": _pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>", js
        ),
        "pdf_escaped_javascript": _pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
            b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        ),
        "pdf_launch": _pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
            b"<< /S /Launch /F (cmd.exe) >>",
        ),
        "pdf_embedded_file": _pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 6 0 R >> >>",
            b"<< /Names [(a.exe) 7 0 R] >>",
            _stream(b"MZ", b" /Type /EmbeddedFile"),
        ),
        "pdf_encrypted": build_pdf(
            PAGE_OBJECTS, trailer_extra=b" /Encrypt << /Filter /Standard /V 1 /R 2 >>"
        ),
        "pdf_objstm_javascript": _object_stream_pdf(js),
        "pdf_objstm_plain": _object_stream_pdf(b"<< /S /URI /URI (https://example.jp/) >>"),
        "pdf_objstm_unknown_filter": _object_stream_pdf(js, filters=b" /Filter /LZWDecode"),
        "pdf_objstm_corrupt": _object_stream_pdf(b"<< >>").replace(b"x\x9c", b"x\x00", 1),
        "pdf_no_eof": plain_pdf.replace(b"%%EOF", b"%%END"),
        "pdf_bad_version": plain_pdf.replace(b"%PDF-1.4", b"%PDF-9.9", 1),
    }


@pytest.fixture(scope="session")
def samples() -> Mapping[str, bytes]:
    """Tiny real files by name (see the module docstring)."""
    return _build_samples()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make every socket connection fail and record the attempts."""
    import socket

    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def registry(database: Database, cipher: FieldCipher) -> Registry:
    """The registry of :mod:`reqdocs_registry` on this test's database."""
    return build_registry(database, cipher)
