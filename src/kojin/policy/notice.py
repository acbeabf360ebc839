"""Rendering the public notice ("The Handling of Personal Information") from the policy."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Final, Literal

from kojin.errors import InputError
from kojin.policy.model import Policy
from kojin.policy.notice_blocks import AnonymizedDatasetNotice
from kojin.policy.notice_document import build_document
from kojin.policy.notice_labels import label

if TYPE_CHECKING:
    from jinja2 import Environment

NoticeFormat = Literal["markdown", "html"]

#: Links inside policy texts are written ``[label](https://...)`` (``mailto:`` and ``tel:`` too).
_LINK = re.compile(r"\[([^\[\]]+)\]\(((?:https?://|mailto:|tel:)[^\s()]+)\)")

_TEMPLATES: Final[Mapping[str, str]] = {"markdown": "notice.md.j2", "html": "notice.html.j2"}


def inline_html(text: str) -> str:
    """Escape `text` for HTML and turn its ``[label](url)`` links into anchors.

    The result is safe markup: the template marks it ``| safe`` after this filter.
    """
    out: list[str] = []
    last = 0
    for match in _LINK.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        url, label_text = html.escape(match.group(2)), html.escape(match.group(1))
        out.append(f'<a href="{url}">{label_text}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


@lru_cache(maxsize=len(_TEMPLATES))
def _environment(fmt: NoticeFormat) -> Environment:
    """One Jinja2 environment per format; Jinja2 loads only when a notice is rendered."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("kojin.policy", "templates"),
        autoescape=fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = inline_html
    return env


def render_notice(
    policy: Policy,
    *,
    lang: Literal["en", "ja"],
    fmt: NoticeFormat,
    anonymized_datasets: Sequence[AnonymizedDatasetNotice] = (),
) -> str:
    """Render the notice in `lang` as Markdown or one standalone HTML page.

    `anonymized_datasets` lists created anonymized datasets; their items (and, when provided,
    the method of provision) are published in the anonymized-information section (R-AN-3, R-AN-4);
    in Japanese their items get Japanese labels (:mod:`kojin.policy.notice_items`).
    Raises :class:`kojin.errors.InputError` when datasets are given but the policy has no
    anonymized-information section to publish them in.
    """
    if anonymized_datasets and policy.general.anonymized is None:
        raise InputError(
            "anonymized datasets must be published, but the policy has no "
            "anonymized-information section (APPI Art. 43(3), R-AN-3)",
            field="general.anonymized",
        )
    document = build_document(policy, lang=lang, anonymized_datasets=anonymized_datasets)
    template = _environment(fmt).get_template(_TEMPLATES[fmt])
    text = template.render(
        doc=document, skip_label=label("skip", lang), contents_label=label("contents", lang)
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
