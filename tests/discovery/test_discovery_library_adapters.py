"""The adapters that reach below a library's public API: they still get what they rely on.

If google-re2 or Python changes the low-level calls or parse trees kojin reads, these tests fail
with the adapter's own message (which call changed, which versions the adapter was written for),
not with a wrong finding somewhere downstream.
"""

from __future__ import annotations

import re2

from kojin.discovery import re2_adapter, sre_adapter
from kojin.discovery.digit_start import starts_with_digit


def test_re2_low_level_calls_agree_with_the_public_api() -> None:
    re2_adapter.verify_binding()


def test_re2_low_level_search_returns_spans_of_every_group() -> None:
    pattern = "口座[ :]*(?P<value>[0-9]{7})"
    low = re2_adapter.span_match(pattern, re2_adapter.options(longest=True, capture=True))
    text = "振込先 口座: 1234567 まで".encode()
    found = re2.compile(pattern).search(text)
    assert found is not None
    assert [tuple(span) for span in low(re2_adapter.UNANCHORED, text, 0, len(text))] == [
        found.span(),
        found.span(1),
    ]


def test_re2_set_reports_every_pattern_matching_the_whole_text() -> None:
    which = re2_adapter.set_match(
        ["[0-9]{3}-[0-9]{4}", "[0-9-]+", "[a-z]+"],
        re2_adapter.options(longest=False, capture=False),
    )
    assert sorted(which(b"100-0001")) == [0, 1]
    assert list(which(b"100-0001x")) == []


def test_re2_binding_error_names_the_library_and_the_bound() -> None:
    error = re2_adapter._changed("re2.Set's _set.Match")
    assert "google-re2" in error.message
    assert "<2" in error.message
    assert "re2_adapter" in error.message


def test_python_parser_trees_have_the_shape_the_analysis_reads() -> None:
    sre_adapter.verify_parser()
    assert starts_with_digit("(?P<value>[0-9]{3})-[0-9]{4}")
    assert not starts_with_digit("[(（][0０][1-9]")


def test_python_parser_error_names_the_module() -> None:
    error = sre_adapter._changed("the parse tree of IN")
    assert "re._parser" in error.message
    assert "sre_adapter" in error.message
