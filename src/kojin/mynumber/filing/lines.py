"""A year's payments to each payee as the lines of a payment record.

A record gives each payee their annual totals; payments that differ in a descriptive field (the
区分 and 細目 of a fee, the property of a rent) are separate lines, each with its own totals.
`LineRule` says which fields split lines, which yen fields are summed, and which texts are
joined (a remark is kept once however many payments repeat it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: how the distinct texts of a line's payments are joined
JOINER = "; "


@dataclass(frozen=True, slots=True)
class LineRule:
    """How one kind of payment record turns payments into lines."""

    #: fields whose values split a payee's payments into lines
    group: tuple[str, ...]
    #: yen fields summed over a line's payments
    summed: tuple[str, ...]
    #: text fields whose distinct values a line joins, in the order first seen
    joined: tuple[str, ...] = ()
    #: the summed field the filing threshold counts
    total: str = "amount_yen"


@dataclass(slots=True)
class PayeeLines:
    """A payee's lines of the year, and the total the filing threshold counts."""

    subject_id: str
    total_yen: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)


def payee_lines(
    payments: Iterable[tuple[str, Mapping[str, Any]]], rule: LineRule
) -> list[PayeeLines]:
    """The lines of each payee of `payments` (pairs of subject id and the payment's fields), in
    the order payees and lines first appear."""
    payees: dict[str, PayeeLines] = {}
    keyed: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}
    for subject_id, values in payments:
        payee = payees.setdefault(subject_id, PayeeLines(subject_id))
        key = (subject_id, tuple(values.get(name) for name in rule.group))
        line = keyed.get(key)
        if line is None:
            line = {name: values.get(name) for name in rule.group}
            line.update(dict.fromkeys(rule.summed, 0))
            line.update({name: [] for name in rule.joined})
            keyed[key] = line
            payee.lines.append(line)
        for name in rule.summed:
            line[name] += int(values.get(name) or 0)
        for name in rule.joined:
            text = values.get(name)
            if text and text not in line[name]:
                line[name].append(text)
        payee.total_yen += int(values.get(rule.total) or 0)
    for payee in payees.values():
        for line in payee.lines:
            for name in rule.joined:
                line[name] = JOINER.join(line[name]) or None
    return list(payees.values())
