"""The matcher's lead characters: patterns that start with a digit may only start after a non-digit.

The search consumes the character before each value (see kojin.discovery.matcher). These tests
check that this changes no finding: on the labeled corpus, against the plain search the matcher
keeps for buffers that are not valid UTF-8, and at the places the lead character could miss a
value (start of the buffer, right after another value, after an invalid byte).
"""

from __future__ import annotations

import pytest
from discovery_corpus import generate_corpus

from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.digit_start import starts_with_digit
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Match

# A trailing byte that is not UTF-8, after a newline: the whole buffer takes the plain search,
# and no value or context can reach across the newline to that byte.
_NOT_UTF8 = b"\n\xff"


@pytest.fixture(scope="module")
def matcher() -> Re2Matcher:
    return Re2Matcher(builtin_registry())


def _values(buf: bytes, matches: list[Match]) -> list[tuple[str, str]]:
    return [(m.kind, buf[m.start : m.end].decode("utf-8", "replace")) for m in matches]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        ("[0-9０-９]{12}", True),
        ("[1-9１-９][0-9０-９]{12}", True),
        ("[0０][5-9５-９][0０]-?[0-9]{4}", True),
        ("(?:1[89]|20|１[８９]|２０)[0-9]{2}年", True),
        ("(?P<value>[0-9]{3})-[0-9]{4}", True),
        ("7|8[0-9]", True),
        ("[0-9]+x", True),
        ("[0-9]?x", False),  # may start with the x
        ("[0-9]*", False),
        ("[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}", False),  # hex: may start with a letter
        ("[(（][0０][1-9]", False),
        ("[+＋][8８][1１]", False),
        ("x[0-9]", False),
        ("1|a", False),
        (r"\d{4}", False),  # a category the analysis does not read: the plain search is kept
        ("[^a-z]", False),
        ("^[0-9]", False),
    ],
)
def test_starts_with_digit_reads_the_first_element(regex: str, expected: bool) -> None:
    assert starts_with_digit(regex) is expected


@pytest.mark.parametrize("seed", [3, 17])
def test_lead_characters_change_no_finding_on_the_corpus(matcher: Re2Matcher, seed: int) -> None:
    buf = generate_corpus(seed=seed, lines=3000, pi_ratio=0.3).text.encode()
    led = matcher.scan(buf)
    plain = matcher.scan(buf + _NOT_UTF8)
    assert len(led) > 500
    assert led == plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09012345678に電話", [("phone_number", "09012345678")]),
        ("０９０１２３４５６７８に電話", [("phone_number", "０９０１２３４５６７８")]),
        (
            "taro@example.jp09012345678",
            [("email", "taro@example.jp"), ("phone_number", "09012345678")],
        ),
        (
            "〒100-0001東京都千代田区丸の内1丁目",
            [("postal_code", "100-0001"), ("address", "東京都千代田区丸の内1丁目")],
        ),
        (
            "電話03-1234-5678、03-2345-6789",
            [("phone_number", "03-1234-5678"), ("phone_number", "03-2345-6789")],
        ),
    ],
)
def test_values_where_the_lead_character_is_another_value(
    matcher: Re2Matcher, text: str, expected: list[tuple[str, str]]
) -> None:
    buf = text.encode()
    assert _values(buf, matcher.scan(buf)) == expected
    assert _values(buf, matcher.scan(buf + _NOT_UTF8)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "注文番号 209012345678",  # inside a longer run of digits
        "番号１09012345678",  # after a full-width digit
        "x 4111111111111111990",  # a card number would end inside a run of digits
    ],
)
def test_no_phone_or_card_inside_a_run_of_digits(matcher: Re2Matcher, text: str) -> None:
    buf = text.encode()
    kinds = {m.kind for m in matcher.scan(buf)}
    assert not kinds & {"phone_number", "credit_card"}
    assert matcher.scan(buf) == matcher.scan(buf + _NOT_UTF8)


def test_buffers_that_are_not_utf8_are_still_scanned(matcher: Re2Matcher) -> None:
    buf = b"\xff09012345678 \xfe tel 03-1234-5678\n"
    assert _values(buf, matcher.scan(buf)) == [
        ("phone_number", "09012345678"),
        ("phone_number", "03-1234-5678"),
    ]


def test_many_calls_on_short_buffers(matcher: Re2Matcher) -> None:
    assert matcher.scan(b"") == []
    assert matcher.scan(b"0") == []
    assert _values(b"a@b.jp", matcher.scan(b"a@b.jp")) == [("email", "a@b.jp")]
