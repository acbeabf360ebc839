"""The internal audit report to top management (R-PM-5), as HTML and as PDF, in Japanese or
English: the audit's scope and dates, the results in numbers, the auditor's summary, the
findings with their corrective actions, and the checklist with its evidence.

The PDF is the HTML rendered by WeasyPrint with the request documents' print style (fonts
embedded, nothing fetched).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from kojin.management.audits.schemas import (
    ActionStatus,
    AuditView,
    EvidenceStatus,
    FindingKind,
    ItemResult,
)
from kojin.policy.model_base import Lang
from kojin.requests.pdf import html_to_pdf
from kojin.requests.print_templates import format_date, format_datetime

if TYPE_CHECKING:
    from jinja2 import Environment

#: the words of the report, by language
LABELS: Final[dict[Lang, dict[str, str]]] = {
    "ja": {
        "title": "内部監査報告書",
        "to": "トップマネジメント 殿",
        "reference": "監査番号",
        "audit_title": "件名",
        "period": "監査対象期間",
        "scope": "対象部門",
        "lead": "監査責任者",
        "planned": "計画日",
        "performed": "実施日",
        "reported": "報告日",
        "status": "状況",
        "figures": "監査結果の概要",
        "controls": "点検項目数",
        "summary": "監査責任者の所見",
        "findings": "指摘事項と是正処置",
        "no_findings": "指摘事項はありません。",
        "finding": "指摘",
        "root_cause": "原因",
        "actions": "是正処置",
        "action": "処置",
        "owner": "責任者",
        "due": "期限",
        "follow_up": "フォローアップ",
        "effectiveness": "有効性の確認",
        "checklist": "点検表",
        "control": "管理策",
        "evidence": "kojin の記録による証跡",
        "result": "結果",
        "notes": "所見",
        "collected": "収集日時",
        "none": "—",
        "overdue": "期限超過",
        "basis": "JIS Q 15001（内部監査・是正処置）。"
        "各管理策は kojin の法令要件仕様書の要件 ID に対応します。",
    },
    "en": {
        "title": "Internal audit report",
        "to": "To top management",
        "reference": "Audit",
        "audit_title": "Title",
        "period": "Period audited",
        "scope": "Departments audited",
        "lead": "Lead auditor",
        "planned": "Planned on",
        "performed": "Performed on",
        "reported": "Reported on",
        "status": "Status",
        "figures": "Results in numbers",
        "controls": "Controls checked",
        "summary": "The lead auditor's summary",
        "findings": "Findings and corrective actions",
        "no_findings": "No findings.",
        "finding": "Finding",
        "root_cause": "Root cause",
        "actions": "Corrective actions",
        "action": "Action",
        "owner": "Owner",
        "due": "Due",
        "follow_up": "Follow-up",
        "effectiveness": "Effectiveness check",
        "checklist": "Checklist",
        "control": "Control",
        "evidence": "Evidence from kojin's records",
        "result": "Result",
        "notes": "Notes",
        "collected": "Collected",
        "none": "—",
        "overdue": "overdue",
        "basis": "JIS Q 15001 (internal audit, corrective action). Each control is a requirement "
        "id of kojin's legal specification.",
    },
}

#: names of results, statuses, finding kinds and evidence states, by language
WORDS: Final[dict[Lang, dict[str, str]]] = {
    "ja": {
        "conform": "適合",
        "nonconform": "不適合",
        "observation": "観察事項",
        "not_applicable": "該当なし",
        "nonconformity": "不適合",
        "planned": "計画済",
        "in_progress": "実施中",
        "reported": "報告済",
        "closed": "完了",
        "open": "未完了",
        "done": "実施済",
        "verified": "有効性確認済",
        "ok": "問題なし",
        "attention": "要確認",
        "manual": "手作業で収集",
        "pending": "未記録",
    },
    "en": {
        "conform": "conform",
        "nonconform": "nonconform",
        "observation": "observation",
        "not_applicable": "not applicable",
        "nonconformity": "nonconformity",
        "planned": "planned",
        "in_progress": "in progress",
        "reported": "reported",
        "closed": "closed",
        "open": "open",
        "done": "done",
        "verified": "verified",
        "ok": "nothing wrong",
        "attention": "needs attention",
        "manual": "collected by hand",
        "pending": "not recorded",
    },
}

#: the names of the evidence's counts, by language
COUNTS: Final[dict[Lang, dict[str, str]]] = {
    "ja": {
        "allowed_decisions": "許可された判断",
        "records_required": "記録が必要な提供",
        "records_present": "記録あり",
        "missing": "記録なし",
        "provision_records": "提供記録",
        "received": "受付",
        "closed": "完了",
        "closed_on_time": "期限内に完了",
        "closed_late": "期限後に完了",
        "withdrawn": "取下げ",
        "open_past_due": "期限超過で未完了",
        "disposed": "廃棄",
        "disposal_records_complete": "廃棄記録あり",
        "active": "保管中",
        "past_retention_not_disposed": "保存期間経過後も未廃棄",
        "incidents": "事案",
        "must_report": "報告対象",
        "preliminary_on_time": "速報（期限内）",
        "preliminary_late": "速報（期限後）",
        "preliminary_missing": "速報（未提出）",
        "final_on_time": "確報（期限内）",
        "final_late": "確報（期限後）",
        "final_missing": "確報（未提出）",
        "people_notified": "本人通知済",
        "entries_checked": "検証した記録",
        "intact": "改ざんなし",
        "rows": "台帳の行",
        "reviewed_within_year": "1年以内に見直し",
        "review_overdue": "見直し期限超過",
        "open": "未完了のタスク",
        "overdue": "期限超過のタスク",
        "closed_in_period": "完了したタスク",
        "closed_late_in_period": "期限後に完了したタスク",
        "entrustees": "委託先",
        "foreign_recipients": "外国の提供先",
        "checks_overdue": "確認期限超過",
        "checks_in_period": "期間内の確認",
        "issues_in_period": "課題のあった確認",
        "failed_in_period": "措置が守られていなかった確認",
        "supervision_tasks_overdue": "期限を過ぎた監督のタスク",
        "rows_assessed": "評価済の台帳の行",
        "reviews_overdue": "見直し期限超過・要再評価",
        "high_residual": "残留リスク高",
        "assessed_in_period": "期間内の評価",
        "workers": "従業者",
        "trained_in_period": "期間内の受講者",
        "training_overdue": "年次教育の未受講",
        "completion_percent": "受講率（%）",
    },
    "en": {},
}


def count_label(key: str, lang: Lang) -> str:
    """The name of an evidence count (English: the key in words)."""
    return COUNTS[lang].get(key) or key.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: int


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The audit templates, with the request documents' layout and print style."""
    from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("kojin.management.audits", "templates"),
                PackageLoader("kojin.requests", "templates"),
            ]
        ),
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=True, default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def figures(view: AuditView, lang: Lang) -> list[Figure]:
    """The report's numbers: controls, each result, findings and actions."""
    words = WORDS[lang]
    results = Counter(i.result.value if i.result else "pending" for i in view.checklist)
    actions = [a for f in view.findings for a in f.actions]
    kinds = Counter(f.kind for f in view.findings)
    return [
        Figure(LABELS[lang]["controls"], len(view.checklist)),
        *(Figure(words[r.value], results[r.value]) for r in ItemResult),
        Figure(words["pending"], results["pending"]),
        *(Figure(f"{LABELS[lang]['finding']}: {words[k.value]}", kinds[k]) for k in FindingKind),
        *(
            Figure(
                f"{LABELS[lang]['actions']}: {words[s.value]}", sum(a.status is s for a in actions)
            )
            for s in ActionStatus
        ),
        Figure(
            f"{LABELS[lang]['actions']}: {LABELS[lang]['overdue']}", sum(a.overdue for a in actions)
        ),
    ]


def report_html(*, view: AuditView, lang: Lang, organization: str, today: date) -> str:
    """The report as one self-contained HTML document."""
    labels = LABELS[lang]
    return (
        environment()
        .get_template("audit_report.html.j2")
        .render(
            lang=lang,
            title=f"{labels['title']} {view.reference}",
            l=labels,
            w=WORDS[lang],
            view=view,
            organization=organization,
            issued_on=format_date(today, lang),
            day=lambda d: labels["none"] if d is None else format_date(d, lang),
            moment=lambda m: labels["none"] if m is None else format_datetime(m, lang),
            count_label=lambda key: count_label(key, lang),
            control_title=lambda item: item.title_ja if lang == "ja" else item.title_en,
            figures=figures(view, lang),
            manual=EvidenceStatus.MANUAL,
        )
    )


def report_pdf(*, view: AuditView, lang: Lang, organization: str, today: date) -> bytes:
    """The report as a PDF."""
    return html_to_pdf(report_html(view=view, lang=lang, organization=organization, today=today))
