"""Names through NER: candidate regions, entity clean-up, offsets; GiNZA itself when installed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.ner import NameRecognizer


@dataclass
class _Ent:
    label_: str
    start_char: int
    end_char: int


@dataclass
class _Doc:
    ents: list[_Ent]


class _FakeNlp:
    """Tags the given strings as Person wherever they occur; records what it was asked to parse."""

    def __init__(self, *people: str, label: str = "Person") -> None:
        self.people = people
        self.label = label
        self.seen: list[str] = []

    def pipe(self, texts: list[str]) -> Iterator[_Doc]:
        for text in texts:
            self.seen.append(text)
            ents = []
            for person in self.people:
                at = text.find(person)
                if at >= 0:
                    ents.append(_Ent(self.label, at, at + len(person)))
            yield _Doc(sorted(ents, key=lambda e: e.start_char))


def _names(recognizer: NameRecognizer, text: str) -> list[str]:
    buf = text.encode()
    matcher = Re2Matcher(builtin_registry())
    return [buf[m.start : m.end].decode() for m in recognizer(buf, matcher.scan(buf))]


def test_only_regions_around_cues_are_parsed() -> None:
    nlp = _FakeNlp("山田")
    text = "前置きの長い文章です。" * 20 + "\n山田様へご連絡ください。\n" + "関係のない行。" * 20
    assert _names(NameRecognizer(nlp=nlp), text) == ["山田"]
    assert len(nlp.seen) == 1
    assert nlp.seen[0] == "山田様へご連絡ください。"


def test_split_family_and_given_names_are_joined_and_spaces_dropped() -> None:
    nlp = _FakeNlp("渡辺\u3000", "智也")
    assert _names(NameRecognizer(nlp=nlp), "本件は渡辺\u3000智也様にご確認いただきました。") == [
        "渡辺\u3000智也"
    ]


def test_katakana_entities_and_other_labels_are_ignored() -> None:
    assert _names(NameRecognizer(nlp=_FakeNlp("フリガナ")), "担当フリガナ") == []
    assert _names(NameRecognizer(nlp=_FakeNlp("東京", label="City")), "東京様") == []


def test_names_found_by_patterns_are_not_repeated() -> None:
    nlp = _FakeNlp("山田 太郎")
    assert _names(NameRecognizer(nlp=nlp), "氏名：山田 太郎 様") == []


def test_byte_offsets_after_multibyte_text() -> None:
    nlp = _FakeNlp("Tanaka")
    text = "ご担当のＴａｒｏさんとTanakaさん"
    buf = text.encode()
    [match] = NameRecognizer(nlp=nlp)(buf, [])
    assert buf[match.start : match.end] == b"Tanaka"


@pytest.mark.ner
@pytest.mark.slow
def test_ginza_finds_names_near_honorifics() -> None:
    recognizer = NameRecognizer()
    found = _names(recognizer, "担当の山田太郎です。\n佐藤 花子様、いつもありがとうございます。\n")
    assert found == ["山田太郎", "佐藤 花子"]
