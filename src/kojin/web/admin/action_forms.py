"""The form of each staff action on a request: which fields it has and which it requires.

The service (:func:`kojin.requests.service.act`) decides what is allowed and checks the input;
this module only lays the forms out, so that a field the service requires is marked required
and a field it does not read is not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kojin.requests.kinds import RequestKind
    from kojin.requests.states import StaffAction

#: kinds whose approval acts on (or discloses) a registry subject: the form asks which
APPROVE_SUBJECT_KINDS = frozenset(
    {"stop_use", "stop_provision", "erasure", "disclosure", "purpose_notification"}
)
#: kinds whose partial fulfilment still discloses something about the subject
PARTLY_SUBJECT_KINDS = frozenset({"disclosure", "purpose_notification"})
#: every field an action form may carry (the names of ``ActionIn``)
ACTION_FIELDS = (
    "subject_id",
    "fee_reference",
    "stop_ground",
    "incident_reference",
    "refusal_ground",
    "explanation",
    "special_circumstances",
    "note",
)


@dataclass(frozen=True, slots=True)
class ActionForm:
    """One action's form: its fields in order, those required, and whether it is final."""

    action: str
    fields: tuple[str, ...]
    required: frozenset[str]
    #: the action closes the request (the form says so)
    closes: bool

    @property
    def explanation_key(self) -> str:
        """Which label the explanation field carries (a reason, or a message)."""
        return "reasons" if "explanation" in self.required else "message"


_CLOSING = frozenset({"approve", "fulfil_partly", "refuse", "withdraw"})


def action_form(
    action: StaffAction | str,
    kind: RequestKind | str,
    *,
    linked: bool,
    special_circumstances: bool = False,
) -> ActionForm:
    """The form of `action` for a request of `kind` (`linked`: a subject is already linked;
    `special_circumstances`: a refusal on the merits must explain them, the request resting on a
    ground of Art. 35(5))."""
    name, kind_name = str(action), str(kind)
    fields: list[str] = []
    required: set[str] = set()
    if name == "record_fee":
        fields.append("fee_reference")
        required.add("fee_reference")
    if name == "set_stop_ground":
        fields += ["stop_ground", "incident_reference"]
        required.add("stop_ground")
    if name == "refuse":
        fields += ["refusal_ground", "explanation"]
        required |= {"refusal_ground", "explanation"}
        if special_circumstances:  # required unless the refusal is procedural (the hint says)
            fields.append("special_circumstances")
    if name == "approve":
        if kind_name in APPROVE_SUBJECT_KINDS:
            fields.append("subject_id")
            if not linked:
                required.add("subject_id")
        fields.append("explanation")
    if name == "fulfil_partly":
        if kind_name in PARTLY_SUBJECT_KINDS:
            fields.append("subject_id")
            if not linked:
                required.add("subject_id")
        fields.append("explanation")
        required.add("explanation")
    fields.append("note")
    return ActionForm(
        action=name, fields=tuple(fields), required=frozenset(required), closes=name in _CLOSING
    )


def submitted_values(form: Mapping[str, object]) -> dict[str, str]:
    """The text fields of a posted action form (stripped; files and unknown names ignored)."""
    values: dict[str, str] = {}
    for name in ACTION_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = value.strip()
    return values
