"""The duties a decision can create, one constant per (code, legal basis)."""

from __future__ import annotations

from kojin.law.citations import appi, duty, mna
from kojin.law.vocabulary import ObligationCode as Code

# R-TP-REC-1 (APPI Art. 29): provider record for a consent-based (or opt-out) provision.
RECORD_PROVISION = duty(
    Code.RECORD_PROVISION,
    rule="R-TP-REC-1",
    citation=appi(29, 1),
    en="Record the provision (fact of consent, recipient, person, items) and keep the record "
    "for 1 or 3 years as Rules 19-21 require.",
    ja="提供の記録（本人の同意・提供先・本人・項目）を作成し、規則第19条から第21条までに従い1年又は3年保存する。",
)
RECORD_PROVISION_OPT_OUT = duty(
    Code.RECORD_PROVISION,
    rule="R-TP-REC-1",
    citation=appi(29, 1),
    en="Record the opt-out provision (date, recipient, person, items) and keep it for 3 years.",
    ja="オプトアウトによる提供の記録（年月日・提供先・本人・項目）を作成し3年保存する。",
)
# R-PRI-3 (APPI Art. 31(3)): provider record for person-related information.
RECORD_PRI_PROVISION = duty(
    Code.RECORD_PRI_PROVISION,
    rule="R-PRI-3",
    citation=appi(31, 3),
    en="Record how the person's consent (and foreign information) was confirmed, the date, "
    "the recipient and the items of person-related information.",
    ja="同意（及び外国情報の提供）の確認方法・年月日・提供先・個人関連情報の項目を記録する。",
)
# R-SEC-4 (APPI Art. 25) / R-MN-8 (MNA Art. 11): supervise entrustees.
SUPERVISE_ENTRUSTEE = duty(
    Code.SUPERVISE_ENTRUSTEE,
    rule="R-SEC-4",
    citation=appi(25),
    en="Select, contract with and supervise the entrustee so that it keeps security measures "
    "equivalent to the operator's own; give it only the data the task needs.",
    ja="委託先を選定・契約・監督し、自社と同等の安全管理措置を講じさせる。必要な範囲のデータのみ渡す。",
)
SUPERVISE_ENTRUSTEE_MN = duty(
    Code.SUPERVISE_ENTRUSTEE,
    rule="R-MN-8",
    citation=mna(11),
    en="Supervise the entrustee for measures equivalent to the operator's own; sub-entrustment "
    "only with the original entruster's permission.",
    ja="委託先に自社と同等の措置を講じさせるよう監督する。再委託は最初の委託者の許諾がある場合に限る。",
)
# R-ACQ-4 (APPI Art. 21(2)): written direct acquisition.
STATE_PURPOSE_IN_ADVANCE = duty(
    Code.STATE_PURPOSE_IN_ADVANCE,
    rule="R-ACQ-4",
    citation=appi(21, 2),
    en="Expressly indicate the purpose of use to the person before collecting the data in "
    "writing (forms, contracts, web forms).",
    ja="書面（申込書・契約書・ウェブフォーム等）で直接取得する前に、利用目的を本人に明示する。",
)
# R-ACQ-3 (APPI Art. 21(1)): notice after acquisition when the purpose was not published.
NOTIFY_OR_PUBLISH_AFTER_ACQUISITION = duty(
    Code.NOTIFY_OR_PUBLISH_PURPOSE,
    rule="R-ACQ-3",
    citation=appi(21, 1),
    en="Promptly notify the person of the purpose of use, or publish it, after acquisition.",
    ja="取得後速やかに、利用目的を本人に通知し、又は公表する。",
)
# R-ACQ-5 (APPI Art. 21(3)) with the policy's promise of a separate notice (retired employees).
NOTIFY_OR_PUBLISH_NEW_PURPOSE = duty(
    Code.NOTIFY_OR_PUBLISH_PURPOSE,
    rule="R-ACQ-5",
    citation=appi(21, 3),
    en="Separately notify the person of the new purpose, or announce it, and obtain consent "
    "before using the data for it (as the policy promises).",
    ja="新たな利用目的を別途本人に通知し又は公表し、その利用の前に同意を得る（方針の定めによる）。",
)
# R-MN-4 (MNA Art. 16): identity verification when receiving a number from the person.
VERIFY_IDENTITY_MYNUMBER = duty(
    Code.VERIFY_IDENTITY_MYNUMBER,
    rule="R-MN-4",
    citation=mna(16),
    en="Verify the number and the person's identity (My Number Card, or a number document plus "
    "an identity document) when receiving the number.",
    ja="個人番号の提供を受ける際に、番号確認と身元確認（マイナンバーカード等）を行う。",
)
# R-AN-3 (APPI Art. 43(3)) and R-AN-4 (Arts. 43(4), 44).
PUBLISH_ANONYMIZED_ITEMS_CREATION = duty(
    Code.PUBLISH_ANONYMIZED_ITEMS,
    rule="R-AN-3",
    citation=appi(43, 3),
    en="Publish without delay the items of information about individuals in the anonymized "
    "information created.",
    ja="作成した匿名加工情報に含まれる個人に関する情報の項目を遅滞なく公表する。",
)
PUBLISH_ANONYMIZED_ITEMS_PROVISION = duty(
    Code.PUBLISH_ANONYMIZED_ITEMS,
    rule="R-AN-4",
    citation=appi(43, 4),
    en="Before providing, publish the items and the method of provision, and tell the recipient "
    "expressly that the data is anonymized information.",
    ja="提供前に項目と提供方法を公表し、提供先に匿名加工情報である旨を明示する。",
)
# R-PS-3 (APPI Art. 41(4), 41(9)): pseudonymized purpose change by publication.
ANNOUNCE_PURPOSE_CHANGE = duty(
    Code.ANNOUNCE_PURPOSE_CHANGE,
    rule="R-PS-3",
    citation=appi(41, 4),
    en="Publish the changed purpose of use of the pseudonymized information before using it.",
    ja="仮名加工情報の変更後の利用目的を、利用前に公表する。",
)
# R-TP-FX-3 (APPI Art. 28(3)) and R-PRI-2 (Art. 31(2)): recipients with a Rule 16 system.
PERIODIC_CHECK_FOREIGN_RECIPIENT = duty(
    Code.PERIODIC_CHECK_FOREIGN_RECIPIENT,
    rule="R-TP-FX-3",
    citation=appi(28, 3),
    en="Check about once a year the foreign recipient's measures and the relevant foreign laws; "
    "stop provision if the measures can no longer be kept; inform the person on request.",
    ja="外国の提供先の措置の実施状況と当該国の制度を年1回程度確認し、継続が困難なら提供を停止する。",
)
PERIODIC_CHECK_FOREIGN_RECIPIENT_PRI = duty(
    Code.PERIODIC_CHECK_FOREIGN_RECIPIENT,
    rule="R-PRI-2",
    citation=appi(31, 2),
    en="Check about once a year the foreign recipient's measures (Rule 18(1) as applied to "
    "person-related information).",
    ja="外国の提供先の措置の実施状況を年1回程度確認する（個人関連情報に準用）。",
)
# R-SEC-2 item 7 (GL-General §10): external environment.
UNDERSTAND_FOREIGN_SYSTEM = duty(
    Code.UNDERSTAND_FOREIGN_SYSTEM,
    rule="R-SEC-2",
    citation=appi(23),
    en="Understand the personal-information system of the country where the data is handled "
    "and take security measures accordingly; show the country in the published security measures.",
    ja="取り扱う国の個人情報保護制度を把握した上で安全管理措置を講じ、公表する安全管理措置に国名を示す。",
)
# R-PS-3 (APPI Art. 41(6)): the entrustee is told that the data is pseudonymized information.
INFORM_ENTRUSTEE_PSEUDONYMIZED = duty(
    Code.INFORM_ENTRUSTEE_PSEUDONYMIZED,
    rule="R-PS-3",
    citation=appi(41, 6),
    en="Tell the entrustee that the data entrusted is pseudonymized information, so that it "
    "handles it as such (no collation to identify the persons, no use to contact them).",
    ja="委託先に、委託するデータが仮名加工情報である旨を伝え、仮名加工情報として取り扱わせる"
    "（本人の識別のための照合や本人への連絡への利用をさせない）。",
)
