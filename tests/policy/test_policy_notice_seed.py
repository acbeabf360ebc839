"""The English notice rendered from the default policy carries every sentence of the seed policy.

The seed (``data/seed-privacy-policy.txt``, a copy of the first customer's published policy) opens
with a list of its five parts; the test splits the seed at those part titles and the rendered
Markdown at its ``##`` headings, and asserts that each seed sentence or bullet of a part occurs in
the rendered part of the same title.

Normalisation, and why:
- whitespace is collapsed; Markdown markup (heading hashes, bullets, bold, ``[label](url)`` links)
  is reduced to its text, because the seed is the plain text of a web page;
- the seed's ``■`` markers and leading ``- `` bullets are dropped: the notice renders them as
  bold lines and list items;
- the seed's typos listed in ``SEED_TYPO_FIXES`` are replaced by the corrected wording before the
  comparison, because the rendered notice fixes them;
- the seed's wording listed in ``SEED_REVISIONS`` is replaced by the notice's revised wording: the
  published text is out of date there (only these and the typos are tolerated differences);
- the explicit anchors of the Markdown headings (``<a id="..."></a>``) are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kojin.policy import load_policy, render_notice

SEED = Path(__file__).parent / "data" / "seed-privacy-policy.txt"

#: Obvious typos of the seed and the wording the published notice uses instead.
SEED_TYPO_FIXES: dict[str, str] = {
    "ProtecManagement": "Protection Management",  # a word lost in the seed's heading
    "the the person": "the person",  # doubled article
    "This apples solely": "This applies solely",  # "apples"
    "4.Implementation": "4. Implementation",  # missing space after the number
    "those which fulfills": "those which fulfill",  # agreement with "actions"
    "for the production of personal information": "for the protection of personal information",
    "considered to equivalent": "considered to be equivalent",  # missing "be"
    "Name of the country when the receiving": "Name of the country where the receiving",
    "proper performance its business": "proper performance of its business",  # missing "of"
    "parties joint using": "parties jointly using",  # "joint" for "jointly"
}

#: Where the notice deliberately departs from the seed's wording, and the revised wording.
SEED_REVISIONS: dict[str, str] = {
    # the section also covers provision by opt-out and its heading matches the Japanese
    # 「個人情報の第三者提供について」
    "2. Non-Provision of personal information to third parties": (
        "2. Provision of Personal Information to Third Parties"
    ),
    # the right to disclosure of third-party provision records (APPI Art. 33(5); R-RT-4)
    "that the information be disclosed to them, that the information be corrected": (
        "that the information be disclosed to them, that the records of its provision to third "
        "parties be disclosed to them, that the information be corrected"
    ),
    # the My Number Act's current numbering: Art. 29(3) became Art. 30(2) (R-MN-1)
    "paragraph (3) of Article 29 of the Act on the Use of Numbers": (
        "paragraph (2) of Article 30 of the Act on the Use of Numbers"
    ),
}

_SENTENCE_END = re.compile(r"(?<=[a-z)\]\"'.]\.)\s+(?=[A-Z(\"])")


def _normalise(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # [label](url) -> label
    text = text.replace("**", "")
    text = re.sub(r'<a id="[^"]*"></a>', "", text)
    text = re.sub(r"^#+\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(?:- |■ )", "", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text).strip()


def _seed_text() -> str:
    text = SEED.read_text(encoding="utf-8")
    for typo, fixed in SEED_TYPO_FIXES.items():
        assert typo in text, f"the seed no longer contains the typo {typo!r}"
        text = text.replace(typo, fixed)
    for published, revised in SEED_REVISIONS.items():
        assert published in text, f"the seed no longer contains {published!r}"
        text = text.replace(published, revised)
    return text


def seed_parts() -> tuple[list[str], dict[str, list[str]]]:
    """The seed's list of part titles and, for each title, the lines of that part."""
    lines = _seed_text().splitlines()
    titles = [line[2:].strip() for line in lines if line.startswith("- ")][:5]
    body = lines[len(titles) :]
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for line in body:
        if line.strip() in titles and line.strip() not in parts:
            current = line.strip()
            parts[current] = []
        elif current is not None and line.strip():
            parts[current].append(line)
    return titles, parts


def seed_sentences(lines: list[str]) -> list[str]:
    """Each line of the seed split into its bullets (``. - `` joins two) and sentences."""
    out: list[str] = []
    for line in lines:
        for piece in re.split(r"(?<=\.) - (?=[A-Z])", line):
            for sentence in _SENTENCE_END.split(_normalise(piece)):
                if sentence:
                    out.append(sentence)
    return out


def rendered_parts(markdown: str) -> dict[str, str]:
    chunks = re.split(r"^## ", markdown, flags=re.MULTILINE)
    parts: dict[str, str] = {}
    for chunk in chunks[1:]:
        title, _, body = chunk.partition("\n")
        parts[title.strip()] = _normalise(body)
    return parts


@pytest.fixture(scope="module")
def english() -> str:
    return render_notice(load_policy(), lang="en", fmt="markdown")


def test_seed_has_five_parts_and_the_notice_lists_them_in_order(english: str) -> None:
    titles, parts = seed_parts()
    assert len(titles) == 5
    assert list(parts) == titles
    assert list(rendered_parts(english)) == titles
    contents = _normalise(english.split("\n## ", 1)[0])
    assert " ".join(titles) in contents


@pytest.mark.parametrize("index", range(5))
def test_every_seed_sentence_is_in_the_rendered_part(english: str, index: int) -> None:
    titles, parts = seed_parts()
    title = titles[index]
    rendered = rendered_parts(english)[title]
    sentences = seed_sentences(parts[title])
    assert sentences, f"no sentences found in the seed part {title!r}"
    missing = [sentence for sentence in sentences if sentence not in rendered]
    assert missing == []


def test_notice_fixes_the_seed_typos(english: str) -> None:
    for typo, fixed in SEED_TYPO_FIXES.items():
        assert typo not in english
        assert fixed in _normalise(english)


def test_a_changed_promise_is_detected() -> None:
    """The comparison fails when the policy drops or alters a seed sentence."""
    policy = load_policy()
    grounds = policy.general.inquiries.refusal_grounds
    altered_inquiries = policy.general.inquiries.model_copy(
        update={"refusal_grounds": grounds[:-1]}
    )
    altered = policy.model_copy(
        update={"general": policy.general.model_copy(update={"inquiries": altered_inquiries})}
    )
    rendered = rendered_parts(render_notice(altered, lang="en", fmt="markdown"))
    title = policy.general.title.en
    sentences = seed_sentences(seed_parts()[1][title])
    missing = [s for s in sentences if s not in rendered[title]]
    assert missing == [grounds[-1].text.en]


def test_notice_revises_the_seed_where_it_is_out_of_date(english: str) -> None:
    for published, revised in SEED_REVISIONS.items():
        assert published not in _normalise(english)
        assert revised in _normalise(english)
