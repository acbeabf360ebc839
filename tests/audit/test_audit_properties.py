"""Property: whatever ids, codes and texts an entry carries, it is stored, re-read, re-hashed
and exported identically, and any change to one stored field is detected."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, update

from kojin.audit import append_entry, verify_chain
from kojin.audit.models import AuditEntry
from kojin.db.uow import Database

ENTRIES = cast(Table, AuditEntry.__table__)

texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)
details = st.dictionaries(texts, values, max_size=4)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actor=texts.filter(bool), payload=details, field=st.sampled_from(["actor", "details"]))
def test_any_entry_roundtrips_and_any_edit_is_detected(
    database: Database, actor: str, payload: dict[str, Any], field: str
) -> None:
    with database.uow() as session:
        entry = append_entry(
            session=session,
            actor=actor[:200],
            action="test.property",
            object_type="thing",
            object_id="x",
            details=payload,
        )
    with database.read() as session:
        result = verify_chain(session=session)
    assert result.ok, result.reason
    assert result.head_hash == entry.hash

    changed: object = actor[:199] + "!" if field == "actor" else {**payload, "extra": 1}
    with database.engine.begin() as conn:
        original = conn.execute(ENTRIES.select().where(ENTRIES.c.seq == entry.seq)).mappings().one()
        conn.execute(update(ENTRIES).where(ENTRIES.c.seq == entry.seq).values({field: changed}))
    with database.read() as session:
        broken = verify_chain(session=session)
    assert not broken.ok
    assert broken.first_bad_seq == entry.seq
    with database.engine.begin() as conn:  # restore for the next example
        conn.execute(
            update(ENTRIES).where(ENTRIES.c.seq == entry.seq).values({field: original[field]})
        )
