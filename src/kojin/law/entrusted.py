"""Data held as an entrustee (R-TP-NT-3(b); the seed's commissioned data, used solely for the
contract).

Entrustment covers only the handling for the entrusted task. Creating anonymized or
pseudonymized information from the client's data for the operator itself is handling outside
Art. 27(5)(i): it would need the client's standing as provider (consent or an exception), which
an entrustee does not have, so it is denied.
"""

from __future__ import annotations

from kojin.law.citations import Rule, Verdict, appi, deny
from kojin.law.situation import DECLARED, Situation

OWN_PURPOSE_CREATION = Rule(
    "R-TP-NT-3",
    appi(27, 5, 1),
    "Data of category '{category}' is held as an entrustee, solely to perform the client's "
    "contract: creating de-identified information from it for {purpose} is handling for the "
    "operator's own purposes, outside the entrustment, and is not permitted.",
    "カテゴリ「{category_ja}」は委託を受けて契約の履行のためにのみ取り扱う個人情報であり、"
    "{purpose_ja}のために加工情報を作成することは、委託の範囲外で自社の目的のために取り扱う"
    "ことになるため認められない。",
)


def own_purpose_creation(s: Situation) -> Verdict | None:
    """The denial when de-identified information would be created from entrusted data for
    anything but the client's declared purposes; None when the creation is for them."""
    if s.category.solely_for_contract and s.purpose is not DECLARED:
        return deny(OWN_PURPOSE_CREATION)
    return None
