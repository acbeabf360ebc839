"""The report for the top manager: the inputs' figures and the month charts (SVG, the same
figures in tables), the law changes, opportunities and decisions, in Japanese and English,
as HTML and as a PDF whose text holds the figures."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from review_support import (
    ACTOR,
    SECRET_DECISION,
    SECRET_MANAGER,
    SINCE,
    TODAY,
    UNTIL,
    seed_incidents,
    seed_requests,
)

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.management.review.chart import month_chart
from kojin.management.review.report import review_html, review_pdf
from kojin.management.review.schemas import (
    LawChange,
    ReviewCreate,
    ReviewDecision,
    ReviewOutcome,
    ReviewUpdate,
    ReviewView,
)
from kojin.management.review.service import create_review, record_outcome, update_review
from kojin.policy.model import Policy


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def review(sqlite_database: Database, sqlite_cipher: FieldCipher) -> ReviewView:
    seed_requests(sqlite_database)
    seed_incidents(sqlite_database, sqlite_cipher)
    with sqlite_database.uow() as session:
        made = create_review(
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_in=ReviewCreate(title="2026年度 <レビュー>", since=SINCE, until=UNTIL),
            today=TODAY,
        )
        update_review(
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_id=made.id,
            changes=ReviewUpdate(
                law_changes=[LawChange(title="ガイドライン改正", effective_on=date(2027, 4, 1))],
                improvements=["委託先管理の手順を見直す"],
            ),
        )
        return record_outcome(
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_id=made.id,
            outcome=ReviewOutcome(
                held_on=date(2027, 4, 9),
                top_manager=SECRET_MANAGER,
                decisions=[ReviewDecision(text=SECRET_DECISION, due_on=date(2027, 9, 30))],
            ),
            today=TODAY,
        )


def test_the_japanese_report_gives_the_inputs_charts_and_decisions(
    review: ReviewView, policy: Policy
) -> None:
    page = review_html(view=review, policy=policy, lang="ja")
    text = _text(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="ja">' in page
    assert "マネジメントレビュー報告書" in text
    assert "MR-2027-01" in text
    assert "2026年4月1日 – 2027年3月31日" in text
    assert "&lt;レビュー&gt;" in page  # typed text is escaped
    assert "期限内回答率: 80%" in text
    assert SECRET_MANAGER in text
    assert SECRET_DECISION in text
    assert "ガイドライン改正" in text
    assert "委託先管理の手順を見直す" in text
    assert "期限後に回答した請求" in text  # a derived opportunity
    # two charts, each with twelve months of two bars, and the figures in a table
    assert page.count("<svg") == 2
    assert page.count('class="bar series-0"') == 24
    assert "4月: 受付 1, 完了 2;" in text
    assert "2月: 事案 1, うち報告対象 1" in text
    assert "2027年1月: 事案 0" in text  # January names its year
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch


def test_the_english_report_and_a_draft(
    review: ReviewView, policy: Policy, sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    text = _text(review_html(view=review, policy=policy, lang="en"))
    assert "Management review report" in text
    assert "1 April 2026 – 31 March 2027" in text
    assert "Requests answered late" in text
    assert "Apr: Received 1, Closed 2" in text
    assert "Held on" in text
    assert "9 April 2027" in text
    with sqlite_database.uow() as session:
        draft = create_review(
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_in=ReviewCreate(since=SINCE, until=UNTIL),
            today=TODAY,
        )
    text = _text(review_html(view=draft, policy=policy, lang="en"))
    assert "No decision is recorded yet." in text
    assert "No change in law was recorded." in text


def test_the_report_prints_as_pdf_with_its_figures(review: ReviewView, policy: Policy) -> None:
    pdf = review_pdf(view=review, policy=policy, lang="ja")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "マネジメントレビュー報告書" in text
    assert "MR-2027-01" in text
    assert "期限内回答率" in text
    assert "80%" in text


def test_month_chart_scales_to_the_largest_value() -> None:
    chart = month_chart([("2026-04", "4月", (4, 1)), ("2026-05", "5月", (0, 2))], ("a", "b"))
    assert chart.largest == 4
    heights = [bar.height for group in chart.groups for bar in group.bars]
    assert heights[0] == chart.baseline - 28  # the largest reaches the top of the plot
    assert heights[2] == 0.0
    assert heights[1] == round(heights[0] / 4, 1)
    empty = month_chart([("2026-04", "4月", (0, 0))], ("a", "b"))
    assert all(bar.height == 0 for bar in empty.groups[0].bars)
