"""HTML to PDF with WeasyPrint, offline: nothing is fetched, Japanese comes from installed fonts.

The documents kojin prints (refusal notices, disclosure reports) are self-contained HTML: their
CSS is inline and they reference no image, stylesheet or font by URL. The URL fetcher given to
WeasyPrint refuses every URL all the same, so a document that did reference one (or a value a
person typed that slipped through as markup) cannot make the server fetch anything, not even a
local file. Fonts are found by family name through the system's fontconfig (no ``@font-face``
rule, which would load the font file through the fetcher): the print CSS names Noto Serif CJK JP
and Noto Sans CJK JP, from Debian's ``fonts-noto-cjk`` (``/usr/share/fonts/opentype/noto``),
and WeasyPrint embeds the subset of glyphs used.

WeasyPrint needs Pango (a C library); when it cannot be loaded the error is a
ConfigurationError that says so.
"""

from __future__ import annotations

from typing import Any, Final

from kojin.errors import ConfigurationError

#: what to install when WeasyPrint cannot load (Debian package names)
_PANGO_HINT: Final = (
    "PDF output needs WeasyPrint with the Pango library: install Pango "
    "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0) and the Japanese fonts "
    "(fonts-noto-cjk)"
)


def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint's HTML, FontConfiguration and URLFetcher; ConfigurationError naming Pango
    when WeasyPrint cannot be loaded."""
    try:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        raise ConfigurationError(f"{_PANGO_HINT} ({type(exc).__name__})") from exc
    return HTML, FontConfiguration, URLFetcher


def _refusing_fetcher(base: Any) -> Any:
    """A WeasyPrint URL fetcher (a subclass of `base`) that refuses every URL: it never opens
    a connection or a file."""

    class RefuseEveryUrl(base):  # type: ignore[misc]
        """Refuses every URL; `refused` lists the URLs asked for."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> object:
            self.refused.append(url)
            raise ValueError("kojin documents fetch no URL")

    return RefuseEveryUrl()


def html_to_pdf(html: str) -> bytes:
    """Render self-contained `html` to PDF bytes, fetching nothing (see the module docstring)."""
    html_class, font_configuration, url_fetcher = _weasyprint()
    document = html_class(string=html, url_fetcher=_refusing_fetcher(url_fetcher))
    pdf = document.write_pdf(font_config=font_configuration())
    if not isinstance(pdf, bytes):
        raise ConfigurationError("WeasyPrint returned no PDF")
    return pdf
