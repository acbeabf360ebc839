# ruff: noqa: E501  (the catalogue is a table: one control a line)
"""The control catalogue of internal audits: one control per ``R-…`` id of APPI-SPEC.md.

An internal audit (JIS Q 15001; R-PM-5) checks every requirement of the legal specification
that applies to the company. Each control names its section, a short title in English and
Japanese, the evidence kojin's own records can give for it (:class:`EvidenceSource`), and when
it applies (:class:`Applies`). :func:`applicable_controls` picks the controls a company's policy
makes relevant: My Number controls only if the policy has specific personal information, opt-out
controls only if an opt-out is filed, anonymized and pseudonymized controls only if declared,
foreign-provision controls only if a category may go (or be stored) abroad, joint-use controls
only if an arrangement is published, academic controls only for an academic institution.

Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from kojin.law.policy_facts import PolicyFacts


class EvidenceSource(StrEnum):
    """Where the evidence of a control comes from."""

    #: allowed decisions that required a record (Art. 29) against provision records present
    PROVISION_RECORDS = "provision_records"
    #: rights requests answered on time, late, or still open past their due date
    REQUEST_DEADLINES = "request_deadlines"
    #: My Number disposal records, and records past their retention not disposed (R-MN-7)
    MYNUMBER_DISPOSALS = "mynumber_disposals"
    #: incidents and their reports to the Commission against the due dates (R-BR-4, R-BR-5)
    INCIDENT_CLOCKS = "incident_clocks"
    #: the audit chain's verification (operation records, R-SEC-2, R-PM-9)
    AUDIT_CHAIN = "audit_chain"
    #: tasks created by decisions' obligations: open, overdue, closed
    OBLIGATION_TASKS = "obligation_tasks"
    #: the entrustee and foreign-recipient register's periodic checks
    RECIPIENT_CHECKS = "recipient_checks"
    #: risk assessments per ledger row and their yearly review (R-PM-2)
    RISK_REVIEWS = "risk_reviews"
    #: training records and who is overdue for the yearly round (R-PM-4)
    TRAINING = "training"
    #: the personal-information ledger and its yearly review (R-PM-1)
    LEDGER_REVIEW = "ledger_review"
    #: kojin keeps no record for it: the auditor collects evidence by hand
    MANUAL = "manual"


class Applies(StrEnum):
    """When a control applies to a company, from its policy (:func:`applies`)."""

    ALWAYS = "always"
    #: the policy has specific personal information (My Number) categories
    MY_NUMBER = "my_number"
    #: the company filed an opt-out (Art. 27(2))
    OPT_OUT = "opt_out"
    #: the policy declares anonymized information (Arts. 43-46)
    ANONYMIZED = "anonymized"
    #: the policy declares creating pseudonymized information (Arts. 41-42)
    PSEUDONYMIZED = "pseudonymized"
    #: a category may be provided to, or stored in, a foreign country (Art. 28; GL §10 (7))
    FOREIGN = "foreign"
    #: a joint-use arrangement is published (Art. 27(5)(iii))
    JOINT_USE = "joint_use"
    #: the company is an academic research institution (Art. 59)
    ACADEMIC = "academic"


@dataclass(frozen=True, slots=True)
class Control:
    """One control: a requirement of the specification as an audit checks it."""

    id: str
    #: the section of APPI-SPEC.md (``"0"`` for the channels, ``"12"`` for JIS Q 15001 ...)
    section: str
    en: str
    ja: str
    source: EvidenceSource
    applies: Applies = Applies.ALWAYS


_S = EvidenceSource
_A = Applies


def _c(
    id_: str,
    section: str,
    en: str,
    ja: str,
    source: EvidenceSource = EvidenceSource.MANUAL,
    applies: Applies = Applies.ALWAYS,
) -> Control:
    return Control(id_, section, en, ja, source, applies)


#: every control, in the specification's order
CONTROLS: Final[tuple[Control, ...]] = (
    # §0 channels
    _c("R-CH-1", "0", "Notices reach the person directly", "本人への通知が直接届いている"),
    _c("R-CH-2", "0", "Publications are easy to find", "公表が容易に見つけられる"),
    _c("R-CH-3", "0", "Purposes are expressly indicated before collection", "取得前に利用目的を明示している"),
    _c("R-CH-4", "0", "Postings stay readily accessible", "容易に知り得る状態を維持している"),
    _c("R-CH-5", "0", "Knowable-state items are current", "本人の知り得る状態の事項が最新である"),
    _c("R-CH-6", "0", "Consent is obtained and recorded properly", "同意を適切に取得し記録している"),
    # §1 definitions
    _c("R-DEF-1", "1", "Personal information is identified in the ledger", "個人情報を台帳で特定している", _S.LEDGER_REVIEW),
    _c("R-DEF-2", "1", "Individual identification codes are recognised", "個人識別符号を識別している", _S.LEDGER_REVIEW),
    _c("R-DEF-3", "1", "Special-care information is marked", "要配慮個人情報を区分している", _S.LEDGER_REVIEW),
    _c("R-DEF-4", "1", "Personal information databases are identified", "個人情報データベース等を特定している", _S.LEDGER_REVIEW),
    _c("R-DEF-5", "1", "Retained personal data is identified", "保有個人データを特定している", _S.LEDGER_REVIEW),
    _c("R-DEF-6", "1", "Pseudonymized information is identified", "仮名加工情報を特定している", _S.MANUAL, _A.PSEUDONYMIZED),
    _c("R-DEF-7", "1", "Anonymized information is identified", "匿名加工情報を特定している", _S.MANUAL, _A.ANONYMIZED),
    _c("R-DEF-8", "1", "Person-related information is identified", "個人関連情報を特定している"),
    _c("R-DEF-9", "1", "The company's status as an operator is determined", "事業者としての位置付けを確認している"),
    _c("R-DEF-10", "1", "Specific personal information is identified", "特定個人情報を特定している", _S.MANUAL, _A.MY_NUMBER),
    # §2 purpose, acquisition, accuracy
    _c("R-PUR-1", "2", "Purposes of use are specified concretely", "利用目的をできる限り特定している"),
    _c("R-PUR-2", "2", "Purpose changes stay in scope and are announced", "利用目的の変更を範囲内で行い通知・公表している", _S.OBLIGATION_TASKS),
    _c("R-PUR-3", "2", "No handling beyond the purposes without consent", "同意なく目的外利用をしていない"),
    _c("R-PUR-4", "2", "Exceptions to out-of-purpose use are recorded", "目的外利用の例外の根拠を記録している"),
    _c("R-PUR-5", "2", "No inappropriate use", "不適正な利用をしていない"),
    _c("R-ACQ-1", "2", "No acquisition by wrongful means", "不正な手段で取得していない"),
    _c("R-ACQ-2", "2", "Special-care information acquired with consent", "要配慮個人情報を同意を得て取得している"),
    _c("R-ACQ-3", "2", "Purposes notified or published after acquisition", "取得後に利用目的を通知・公表している", _S.OBLIGATION_TASKS),
    _c("R-ACQ-4", "2", "Purposes indicated before written acquisition", "書面取得の前に利用目的を明示している", _S.OBLIGATION_TASKS),
    _c("R-ACQ-5", "2", "Changed purposes notified or published", "変更後の利用目的を通知・公表している", _S.OBLIGATION_TASKS),
    _c("R-ACQ-6", "2", "Exemptions from notice are justified", "通知等の適用除外を正当に判断している"),
    _c("R-ACC-1", "2", "Data kept accurate and erased when no longer needed", "正確性を確保し不要時に消去している", _S.LEDGER_REVIEW),
    # §3 security
    _c("R-SEC-1", "3", "Security measures are in place", "安全管理措置を講じている"),
    _c("R-SEC-2", "3", "Operation records are kept and intact", "取扱いの記録を保存し改ざんがない", _S.AUDIT_CHAIN),
    _c("R-SEC-3", "3", "Workers are supervised and trained", "従業者を監督・教育している", _S.TRAINING),
    _c("R-SEC-4", "3", "Entrustees are supervised", "委託先を監督している", _S.RECIPIENT_CHECKS),
    # §4 breach reporting
    _c("R-BR-0", "4", "Leakage, loss and damage are recognised", "漏えい等の事態を認識している", _S.INCIDENT_CLOCKS),
    _c("R-BR-1", "4", "Incidents are contained and investigated", "漏えい等の事案を封じ込め調査している", _S.INCIDENT_CLOCKS),
    _c("R-BR-2", "4", "Reportable situations are identified", "報告対象事態を判定している", _S.INCIDENT_CLOCKS),
    _c("R-BR-3", "4", "The reporting party is determined", "報告主体を判断している", _S.INCIDENT_CLOCKS),
    _c("R-BR-4", "4", "Preliminary reports are made promptly", "速報を速やかに行っている", _S.INCIDENT_CLOCKS),
    _c("R-BR-5", "4", "Final reports are made within 30/60 days", "確報を30日/60日以内に行っている", _S.INCIDENT_CLOCKS),
    _c("R-BR-6", "4", "Affected people are notified", "本人に通知している", _S.INCIDENT_CLOCKS),
    _c("R-BR-7", "4", "Alternative measures where notice is difficult", "通知困難な場合に代替措置を講じている", _S.INCIDENT_CLOCKS),
    _c("R-BR-8", "4", "Breach-based stop requests are honoured", "漏えい等に基づく利用停止等に対応している", _S.INCIDENT_CLOCKS),
    _c("R-BR-MN-1", "4", "My Number breaches are reported", "特定個人情報の漏えい等を報告している", _S.INCIDENT_CLOCKS, _A.MY_NUMBER),
    _c("R-BR-IMPL", "4", "Incidents are classified with their clocks", "事案を分類し期限を管理している", _S.INCIDENT_CLOCKS),
    # §5 third-party provision
    _c("R-TP-1", "5", "Third-party provision only with consent or an exception", "第三者提供は同意又は例外による"),
    _c("R-TP-OO-1", "5", "Opt-out is filed and published", "オプトアウトを届出・公表している", _S.MANUAL, _A.OPT_OUT),
    _c("R-TP-OO-2", "5", "Excluded data is not provided by opt-out", "オプトアウト除外データを提供していない", _S.MANUAL, _A.OPT_OUT),
    _c("R-TP-OO-3", "5", "Opt-out changes are filed in advance", "オプトアウトの変更を事前に届け出ている", _S.MANUAL, _A.OPT_OUT),
    _c("R-TP-NT-1", "5", "Entrustment, succession and joint use are within their scope", "委託・事業承継・共同利用が範囲内である"),
    _c("R-TP-NT-2", "5", "Joint-use changes are announced", "共同利用の変更を通知・公表している", _S.MANUAL, _A.JOINT_USE),
    _c("R-TP-NT-3", "5", "Joint use and entrustment cover what they claim", "共同利用・委託の範囲を確認している"),
    _c("R-TP-FX-1", "5", "Foreign provision has consent or a basis", "外国にある第三者への提供に根拠がある", _S.MANUAL, _A.FOREIGN),
    _c("R-TP-FX-2", "5", "Information is given before foreign consent", "外国提供の同意前に情報を提供している", _S.OBLIGATION_TASKS, _A.FOREIGN),
    _c("R-TP-FX-3", "5", "Foreign recipients are checked periodically", "外国の提供先を定期的に確認している", _S.RECIPIENT_CHECKS, _A.FOREIGN),
    _c("R-TP-REC-1", "5", "Provision records are kept", "提供記録を作成している", _S.PROVISION_RECORDS),
    _c("R-TP-REC-2", "5", "Received data is confirmed", "受領時に確認を行っている"),
    _c("R-TP-REC-3", "5", "Receipt records are kept", "受領記録を作成している"),
    _c("R-TP-REC-4", "5", "Records are retained for 1 or 3 years", "記録を1年又は3年保存している"),
    _c("R-TP-REC-5", "5", "Records are disclosable to the person", "記録を本人に開示できる", _S.REQUEST_DEADLINES),
    # §6 person-related information
    _c("R-PRI-1", "6", "Person-related information provision is recognised", "個人関連情報の提供を認識している"),
    _c("R-PRI-2", "6", "Consent is confirmed before providing person-related information", "個人関連情報の提供前に同意を確認している"),
    _c("R-PRI-3", "6", "Person-related information provision records are kept", "個人関連情報の提供記録を作成している", _S.PROVISION_RECORDS),
    # §7 rights
    _c("R-RT-1", "7", "Knowable-state items are published", "保有個人データに関する事項を公表している"),
    _c("R-RT-2", "7", "Purpose notification requests are answered without delay", "利用目的の通知の求めに遅滞なく対応している", _S.REQUEST_DEADLINES),
    _c("R-RT-3", "7", "Disclosure requests are answered without delay", "開示請求に遅滞なく対応している", _S.REQUEST_DEADLINES),
    _c("R-RT-4", "7", "Provision records are disclosed on request", "第三者提供記録の開示に対応している", _S.REQUEST_DEADLINES),
    _c("R-RT-5", "7", "Correction requests are answered without delay", "訂正等の請求に遅滞なく対応している", _S.REQUEST_DEADLINES),
    _c("R-RT-6", "7", "Stop and erasure requests are answered without delay", "利用停止等の請求に遅滞なく対応している", _S.REQUEST_DEADLINES),
    _c("R-RT-7", "7", "Reasons are given for refusals", "拒否の理由を説明している", _S.REQUEST_DEADLINES),
    _c("R-RT-8", "7", "Request procedures and identity checks are set", "請求手続と本人確認を定めている", _S.REQUEST_DEADLINES),
    _c("R-RT-9", "7", "Fees are reasonable and published", "手数料が合理的で公表されている", _S.REQUEST_DEADLINES),
    _c("R-RT-10", "7", "Requests are answered within their time limits", "請求に期限内に対応している", _S.REQUEST_DEADLINES),
    _c("R-RT-11", "7", "Complaints are handled promptly", "苦情を適切かつ迅速に処理している", _S.REQUEST_DEADLINES),
    # §8 pseudonymized
    _c("R-PS-1", "8", "Pseudonymized information meets the creation standards", "仮名加工情報の作成基準を満たしている", _S.MANUAL, _A.PSEUDONYMIZED),
    _c("R-PS-2", "8", "Deletion information is secured", "削除情報等を安全管理している", _S.MANUAL, _A.PSEUDONYMIZED),
    _c("R-PS-3", "8", "Pseudonymized personal information is handled within its limits", "仮名加工情報を制限内で取り扱っている", _S.OBLIGATION_TASKS, _A.PSEUDONYMIZED),
    _c("R-PS-4", "8", "Pseudonymized non-personal information is not provided", "個人情報でない仮名加工情報を提供していない", _S.MANUAL, _A.PSEUDONYMIZED),
    # §9 anonymized
    _c("R-AN-1", "9", "Anonymized information meets the processing standards", "匿名加工情報の加工基準を満たしている", _S.MANUAL, _A.ANONYMIZED),
    _c("R-AN-2", "9", "Processing-method information is secured", "加工方法等情報を安全管理している", _S.MANUAL, _A.ANONYMIZED),
    _c("R-AN-3", "9", "Items are published on creation", "作成時に項目を公表している", _S.OBLIGATION_TASKS, _A.ANONYMIZED),
    _c("R-AN-4", "9", "Items and method are published before provision", "提供前に項目と方法を公表している", _S.OBLIGATION_TASKS, _A.ANONYMIZED),
    _c("R-AN-5", "9", "No re-identification", "識別行為をしていない", _S.MANUAL, _A.ANONYMIZED),
    _c("R-AN-6", "9", "Security and complaint measures are published", "安全管理措置等を公表している", _S.MANUAL, _A.ANONYMIZED),
    # §10 My Number
    _c("R-MN-1", "10", "My Number used only for number-related affairs", "個人番号を個人番号関係事務に限り利用している", _S.MANUAL, _A.MY_NUMBER),
    _c("R-MN-2", "10", "My Number purposes are specified", "個人番号の利用目的を特定している", _S.MANUAL, _A.MY_NUMBER),
    _c("R-MN-3", "10", "My Number requested only when needed", "必要な場合に限り個人番号の提供を求めている", _S.MANUAL, _A.MY_NUMBER),
    _c("R-MN-4", "10", "Identity verified on receiving My Number", "個人番号の取得時に本人確認をしている", _S.OBLIGATION_TASKS, _A.MY_NUMBER),
    _c("R-MN-5", "10", "My Number provided only in permitted cases", "個人番号を限定された場合にのみ提供している", _S.MANUAL, _A.MY_NUMBER),
    _c("R-MN-6", "10", "My Number collected and stored only as needed", "必要な範囲で収集・保管している", _S.MANUAL, _A.MY_NUMBER),
    _c("R-MN-7", "10", "My Number deleted or disposed of with a record", "個人番号を廃棄・削除し記録している", _S.MYNUMBER_DISPOSALS, _A.MY_NUMBER),
    _c("R-MN-8", "10", "My Number entrustees are supervised", "個人番号の委託先を監督している", _S.RECIPIENT_CHECKS, _A.MY_NUMBER),
    _c("R-MN-9", "10", "My Number security measures are in place", "特定個人情報の安全管理措置を講じている", _S.AUDIT_CHAIN, _A.MY_NUMBER),
    _c("R-MN-10", "10", "Staff know the My Number penalties", "番号法の罰則を周知している", _S.TRAINING, _A.MY_NUMBER),
    # §11 check digits
    _c("R-CD-1", "11", "My Numbers are validated and never written into registers", "個人番号を検証し台帳等に記載していない", _S.MANUAL, _A.MY_NUMBER),
    # §12 JIS Q 15001
    _c("R-PM-1", "12", "The ledger is complete and reviewed yearly", "個人情報管理台帳を整備し年1回以上見直している", _S.LEDGER_REVIEW),
    _c("R-PM-2", "12", "Risks are assessed per ledger row", "台帳ごとにリスクを分析している", _S.RISK_REVIEWS),
    _c("R-PM-3", "12", "A legal register is kept", "法令等の一覧を整備している"),
    _c("R-PM-4", "12", "Workers are trained yearly", "従業者に年1回以上教育している", _S.TRAINING),
    _c("R-PM-5", "12", "Internal audits are independent and reported", "内部監査を独立して行い報告している"),
    _c("R-PM-6", "12", "Departments check their operation", "運用の確認を行っている"),
    _c("R-PM-7", "12", "Nonconformities get corrective actions", "不適合に是正処置を講じている"),
    _c("R-PM-8", "12", "Top management reviews the system", "トップマネジメントがレビューしている"),
    _c("R-PM-9", "12", "Documents and records are controlled", "文書と記録を管理している", _S.AUDIT_CHAIN),
    _c("R-PM-10", "12", "Emergencies and complaints are prepared for", "緊急事態と苦情への準備がある", _S.INCIDENT_CLOCKS),
    _c("R-PM-11", "12", "Entrustees are evaluated periodically", "委託先を定期的に評価している", _S.RECIPIENT_CHECKS),
    # §14 scope
    _c("R-SC-1", "14", "Press and similar exemptions are determined", "報道機関等の適用除外を確認している"),
    _c("R-SC-2", "14", "Academic self-regulation is published", "学術研究機関の自主規範を公表している", _S.MANUAL, _A.ACADEMIC),
    _c("R-SC-3", "14", "Extraterritorial application is determined", "域外適用を確認している"),
    _c("R-SC-4", "14", "Public-sector duties are determined", "公的部門の規律の適用を確認している"),
)  # fmt: skip

#: each control under its id
BY_ID: Final[Mapping[str, Control]] = {c.id: c for c in CONTROLS}


def applies(condition: Applies, policy: PolicyFacts) -> bool:
    """Whether a control with `condition` applies under `policy`."""
    categories = policy.categories.values()
    match condition:
        case Applies.ALWAYS:
            return True
        case Applies.MY_NUMBER:
            return any(c.specific_personal for c in categories)
        case Applies.OPT_OUT:
            return policy.opt_out_filed or any(c.opt_out for c in categories)
        case Applies.ANONYMIZED:
            return policy.anonymized_declared or policy.anonymized_items_published
        case Applies.PSEUDONYMIZED:
            return policy.pseudonymized_creation_declared or any(
                c.pseudonymized_joint_use_published for c in categories
            )
        case Applies.FOREIGN:
            return any(
                c.foreign_provision_declared or c.foreign_storage_countries for c in categories
            )
        case Applies.JOINT_USE:
            return any(c.joint_use_published for c in categories)
        case Applies.ACADEMIC:
            return policy.academic_institution


def applicable_controls(policy: PolicyFacts) -> tuple[Control, ...]:
    """The controls that apply to a company with `policy`, in the catalogue's order."""
    return tuple(c for c in CONTROLS if applies(c.applies, policy))
