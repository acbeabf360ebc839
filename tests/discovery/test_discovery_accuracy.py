"""Precision and recall on the generated labeled corpus (Faker ja_JP and en_US, seeded).

The issue's bar: at least 0.99 for e-mail, phone, My Number, postal code, dates and card numbers
(exact spans), names at least 0.95 with the NER extra. Each test prints its per-type table.
"""

from __future__ import annotations

import pytest
from discovery_corpus import generate_corpus
from discovery_evaluation import evaluate, render_table

from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.text_scan import findings_in_buffer

STRICT = ("email", "phone_number", "my_number", "postal_code", "date_of_birth", "credit_card")
PATTERN_ONLY = (
    "corporate_number",
    "address",
    "passport_number",
    "drivers_license",
    "basic_pension_number",
    "health_insurance_number",
    "bank_account",
    "ip_address",
    "mac_address",
    "name_kana",
)


@pytest.mark.parametrize("seed", [11, 29])
def test_pattern_detectors_precision_and_recall(seed: int) -> None:
    corpus = generate_corpus(seed=seed, lines=10000)
    matcher = Re2Matcher(builtin_registry())
    findings, _ = findings_in_buffer(corpus.text.encode(), matcher=matcher, path="corpus")
    scores = evaluate(spans=corpus.spans, findings=findings, exact_kinds=STRICT)
    print(f"\nseed {seed}, {len(corpus.spans)} labeled spans\n{render_table(scores)}")
    for kind in STRICT:
        assert scores[kind].true_positives >= 100, kind
        assert scores[kind].precision >= 0.99, kind
        assert scores[kind].recall >= 0.99, kind
    for kind in PATTERN_ONLY:
        assert scores[kind].precision >= 0.95, kind
        assert scores[kind].recall >= 0.95, kind
    # Names after a label are found without NER; names before an honorific need the extra.
    assert scores["person_name"].precision >= 0.95


@pytest.mark.ner
@pytest.mark.slow
def test_names_with_ginza_precision_and_recall() -> None:
    from kojin.discovery.ner import NameRecognizer

    corpus = generate_corpus(seed=5, lines=5000)
    matcher = Re2Matcher(builtin_registry())
    findings, _ = findings_in_buffer(
        corpus.text.encode(), matcher=matcher, path="corpus", extra=NameRecognizer()
    )
    scores = evaluate(spans=corpus.spans, findings=findings, exact_kinds=STRICT)
    print(f"\nwith GiNZA\n{render_table(scores)}")
    assert scores["person_name"].true_positives >= 250
    assert scores["person_name"].precision >= 0.95
    assert scores["person_name"].recall >= 0.95
    for kind in STRICT:
        assert scores[kind].precision >= 0.99, kind
