"""The register read for decisions: :func:`supervision_for` gives each request the
:class:`~kojin.law.supervision.SupervisionFacts` of its recipient, in one query per batch and
only when some request needs them (a provision to an entrustee or to a Rule 16 recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.law.decision_schemas import DecisionRequest
from kojin.law.supervision import SupervisionFacts, needs_supervision
from kojin.registry.recipients.models import Recipient
from kojin.registry.recipients.records import match_key
from kojin.registry.recipients.schemas import CheckResult, RecipientStatus

_ACTIVE: Final = RecipientStatus.ACTIVE.value
_FAILED: Final = CheckResult.FAILED.value
#: a request that names no recipient
_UNNAMED: Final = SupervisionFacts(named=False)
#: a named recipient the register does not hold
_UNREGISTERED: Final = SupervisionFacts()


def supervision_for(
    *, session: Session, requests: Sequence[DecisionRequest | None], today: date
) -> list[SupervisionFacts | None]:
    """For each request (aligned), what the register shows about its recipient as of `today`;
    None for a request the register does not matter to (or None itself). No query when no
    request needs the register."""
    keys: list[str | None] = []
    needed = False
    for request in requests:
        if request is None or not needs_supervision(request):
            keys.append(None)
            continue
        needed = True
        recipient = request.recipient
        name = None if recipient is None else recipient.name
        keys.append(match_key(name) if name and name.strip() else "")
    if not needed:
        return [None] * len(requests)
    wanted = {key for key in keys if key}
    found: dict[str, SupervisionFacts] = {}
    if wanted:
        rows = session.execute(
            select(
                Recipient.match_key,
                Recipient.status,
                Recipient.entrustee,
                Recipient.foreign_rule16,
                Recipient.my_number_affairs,
                Recipient.next_check_due,
                Recipient.last_check_result,
            ).where(Recipient.match_key.in_(wanted))
        )
        for key, status, entrustee, rule16, my_number, due, result in rows:
            active = status == _ACTIVE
            if not active and key in found:
                continue  # an ended entry never hides another entry of the name
            found[key] = SupervisionFacts(
                registered=active,
                ended=not active,
                entrustee=entrustee,
                foreign_rule16=rule16,
                my_number_affairs=my_number,
                check_overdue=active and due < today,
                last_check_failed=result == _FAILED,
                next_check_due=due,
            )
    return [
        None if key is None else _UNNAMED if not key else found.get(key, _UNREGISTERED)
        for key in keys
    ]
