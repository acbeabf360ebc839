"""What the company tells a person who asks about a foreign recipient with a Rule 16 system
(APPI Art. 28(3); Rule 18(3); R-TP-FX-3): how the system was set up, an outline of the
measures, how often and how they are checked, the country, the foreign laws that may affect
them, and the impediments and responses.

Each item is what staff wrote in the asked language, else in the other one; the country's name
and the check interval come from the register itself.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kojin import countries
from kojin.crypto.cipher import FieldCipher
from kojin.errors import InputError
from kojin.policy.model_base import Lang
from kojin.registry.recipients.records import load
from kojin.registry.recipients.register import read_fields
from kojin.registry.recipients.schemas import Rule16Basis, Statement, StatementView


def statement(
    *, session: Session, cipher: FieldCipher, recipient_id: str, lang: Lang
) -> StatementView:
    """The Art. 28(3) information about the recipient, in `lang` (``ja`` or ``en``).
    InputError when the recipient is not a foreign recipient with a Rule 16 system."""
    row = load(session, recipient_id)
    if not row.foreign_rule16:
        raise InputError(
            "the statement is for a foreign recipient with a Rule 16 system", field="recipient"
        )
    fields = read_fields(cipher, row)
    asked, other = (
        (fields.statement_ja, fields.statement_en)
        if lang == "ja"
        else (fields.statement_en, fields.statement_ja)
    )
    first = asked or Statement()
    second = other or Statement()
    items = Statement.model_validate(
        {name: getattr(first, name) or getattr(second, name) for name in Statement.model_fields}
    )
    assert fields.name is not None
    return StatementView(
        recipient_id=row.id,
        name=fields.name,
        lang=lang,
        country=row.country,
        country_name=countries.name(row.country, lang),
        basis=None if row.rule16_basis is None else Rule16Basis(row.rule16_basis),
        check_interval_days=row.check_interval_days,
        last_check_on=row.last_check_on,
        items=items,
    )
