"""The README shows two screenshots: the portal's form in Japanese and the staff queue.

They are copies of what the flows in this folder save as
``test-artifacts/screenshots/flow-readme-portal-form-ja.png`` and
``flow-readme-admin-queue-en.png`` (a 1024 px screen, not the whole page). Here: both are
referenced by the README as images with a description, exist, are PNG files of a phone's or a
small laptop's width and stay small enough for a repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
SHOWN = ("docs/screenshots/portal-form-ja.png", "docs/screenshots/admin-queue-en.png")
WIDTHS = (390, 1024)
MAX_BYTES = 300 * 1024
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def _images() -> dict[str, str]:
    """The README's images: path -> description."""
    return {path: alt for alt, path in _IMAGE.findall(README.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("path", SHOWN)
def test_the_readme_shows_the_screenshot(path: str) -> None:
    images = _images()
    assert path in images, f"README.md does not show {path}"
    assert len(images[path].strip()) >= 20, "the image needs a description of what it shows"


@pytest.mark.parametrize("path", SHOWN)
def test_the_screenshot_is_a_small_png(path: str) -> None:
    file = ROOT / path
    assert file.is_file(), f"{path} is missing"
    data = file.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) < MAX_BYTES, f"{path} is {len(data)} bytes"
    with Image.open(file) as image:
        assert image.format == "PNG"
        width, height = image.size
    assert width in WIDTHS
    assert 300 <= height <= 1200, "a screen's worth, not a whole long page"


def test_every_image_of_the_readme_exists() -> None:
    for path in _images():
        assert (ROOT / path).is_file(), f"README.md shows {path}, which does not exist"
