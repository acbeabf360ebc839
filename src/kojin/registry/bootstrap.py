"""``kojin init``: data folder and keys folder (owner-only), migrations, the policy version in
the audit chain, the first admin token and (optionally) the sample ledger, in one transaction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.canonical import sha256_of
from kojin.audit.models import AuditEntry
from kojin.audit.service import append_entry, lock_chain
from kojin.auth.roles import Role
from kojin.auth.service import create_token
from kojin.auth.staff import create_first_admin
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError
from kojin.policy import Policy, load_policy, to_facts
from kojin.registry.ledger.csvio import LedgerImportError, import_csv
from kojin.registry.opening import INITIALISED, prepare_folders
from kojin.settings import Settings

POLICY_RECORDED = "policy.recorded"
SAMPLE_LEDGER = "sample_ledger.csv"


@dataclass(frozen=True, slots=True)
class InitResult:
    """What ``kojin init`` created; `admin_token` is the only copy of the plaintext token."""

    admin_token: str
    admin_token_id: str
    #: the generated password of the staff user ``admin`` (its only copy); None when the
    #: registry already had a staff user
    staff_password: str | None
    key_id: str
    policy_sha256: str
    ledger_rows: int
    #: the data folder (the SQLite registry unless KOJIN_DATABASE_URL names another database)
    data_dir: Path
    #: the keys folder (the keyring; empty when the keys come from KOJIN_MASTER_KEY)
    keys_dir: Path


def sample_ledger_text() -> str:
    """The sample ledger shipped with kojin (the default policy's categories)."""
    return resources.files("kojin.registry").joinpath(SAMPLE_LEDGER).read_text(encoding="utf-8")


def _initialised(session: Session) -> bool:
    query = select(AuditEntry.seq).where(AuditEntry.action == INITIALISED).limit(1)
    return session.execute(query).first() is not None


def record_policy_version(*, session: Session, policy_sha256: str, source: str, actor: str) -> None:
    """Chain the policy now in force, by the SHA-256 of its canonical JSON form."""
    append_entry(
        session=session,
        actor=actor,
        action=POLICY_RECORDED,
        object_type="policy",
        object_id=policy_sha256[:16],
        details={"sha256": policy_sha256, "source": source},
    )


def policy_digest(policy: Policy) -> str:
    """SHA-256 of the policy's canonical JSON form: what the audit chain records."""
    return sha256_of(policy.model_dump(mode="json"))


def record_policy_if_changed(
    *, session: Session, policy_sha256: str, source: str, actor: str
) -> bool:
    """Chain the policy in force unless it is the one recorded last; True when recorded.

    Call at start-up (``kojin serve``) so that every policy change lands in the chain.
    """
    last = session.execute(
        select(AuditEntry.details)
        .where(AuditEntry.action == POLICY_RECORDED)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is not None and last.get("sha256") == policy_sha256:
        return False
    record_policy_version(session=session, policy_sha256=policy_sha256, source=source, actor=actor)
    return True


def initialise(
    *, settings: Settings, sample: bool = False, actor: str = "kojin init"
) -> InitResult:
    """Set up a registry; ConflictError (nothing changed) when it is already initialised.

    An existing keyring is reused, never replaced (it may protect data already stored); one
    left by an earlier release in ``<home>/keys`` is moved to the keys folder first.
    """
    folders = prepare_folders(settings)
    path = keyring_path(settings)
    if settings.master_key is not None:
        keyring = Keyring.from_master_key(settings.master_key.get_secret_value())
    elif path.exists():
        keyring = Keyring.read(path)
    else:
        keyring = Keyring.generate(path=path)
        keyring.save()
    upgrade(settings.resolved_database_url())
    policy = load_policy(settings.policy_file)
    digest = policy_digest(policy)
    source = "default" if settings.policy_file is None else settings.policy_file.name
    database = Database.from_settings(settings)
    try:
        with database.uow() as session:
            lock_chain(session=session)  # two concurrent inits: the second one waits, then refuses
            if _initialised(session):
                raise ConflictError(
                    f"kojin is already initialised in {settings.home}: nothing was changed"
                )
            record_policy_version(session=session, policy_sha256=digest, source=source, actor=actor)
            token, plaintext = create_token(
                session=session, role=Role.ADMIN, name="admin", actor=actor
            )
            staff = create_first_admin(session=session, actor=actor)
            rows = 0
            if sample:
                rows = _import_sample(session, policy, actor)
            append_entry(
                session=session,
                actor=actor,
                action=INITIALISED,
                object_type="registry",
                object_id="registry",
                details={"key_id": keyring.current, "sample_ledger": sample},
            )
    finally:
        database.dispose()
    return InitResult(
        admin_token=plaintext,
        admin_token_id=token.id,
        staff_password=None if staff is None else staff[1],
        key_id=keyring.current,
        policy_sha256=digest,
        ledger_rows=rows,
        data_dir=folders.data,
        keys_dir=folders.keys,
    )


def _import_sample(session: Session, policy: Policy, actor: str) -> int:
    """Load the sample ledger, checked against `policy` like any import; it is written in the
    default policy's categories and purposes, so another policy may refuse it."""
    try:
        result = import_csv(
            session=session,
            source=io.StringIO(sample_ledger_text()),
            actor=actor,
            policy=to_facts(policy),
        )
    except LedgerImportError:
        raise InputError(
            "the sample ledger uses the default policy's categories and purposes, which "
            "KOJIN_POLICY_FILE does not declare: run `kojin init` without --sample and import "
            "your own ledger with `kojin ledger import`",
            field="sample",
        ) from None
    return result.created
