"""My Number vault benchmark: registering numbers and revealing them with audit, per second,
through the service layer as a batch of a user's would run.

What each figure includes:

* **register** — :func:`kojin.mynumber.service.register_number` for each of ``--count``
  people, ``--batch`` registrations per vault transaction (committed, SQLite ``synchronous=FULL``
  by default): the designation read, the subject and category checks (a registry read), the
  identity-verification check, normalizing and checking the number (written with spaces), the
  active-record check, one recorded ``acquire`` decision (decision row + audit entry), a fresh
  data key, AES-GCM sealing, the key wrapped under the vault key (its folder checked for a
  rotation), the record and data-key inserts and the ``mynumber.registered`` audit entry.
* **reveal** — :func:`kojin.mynumber.service.reveal_number` once for every record, same batching:
  the designation read, the record read, one recorded ``use`` decision (decision row + audit
  entry), the data key read and unwrapped, the number opened, and the ``mynumber.revealed`` audit
  entry (reason digest), committed before the number is counted as returned.
* **baseline** — the same cryptography without kojin: a data key made, the number sealed and the
  key wrapped (register), the key unwrapped and the number opened (reveal), in memory.

Not included: creating the people in the registry and designating the handler (set-up), and the
chain verification printed at the end (timed on its own).

Run: .venv/bin/python benchmarks/mynumber.py [--count N] [--batch N] [--url URL]
(default: 20,000 numbers in a SQLite file, 100 per transaction; PostgreSQL with --url or
KOJIN_BENCH_DATABASE_URL, in a schema of its own that is dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from pydantic import SecretStr
from sqlalchemy import Table, create_engine, insert, text
from sqlalchemy.engine import make_url

from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.base import utcnow
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.law.check_digits import my_number_check_digit
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.mynumber.envelope import Sealed, new_data_key, number_aad, seal, unseal
from kojin.mynumber.schemas import HandlerIn, RegistrationIn
from kojin.mynumber.service import designate_handler, register_number, reveal_number
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy, to_facts
from kojin.registry.subjects.models import Subject
from kojin.settings import Settings

AFFAIR = "remuneration_payment_records"
HANDLER = "token:bench-handler"


@contextmanager
def bench_database(url: str | None, folder: Path) -> Iterator[str]:
    """A SQLite file in `folder`, or a fresh schema of the PostgreSQL database `url` (dropped
    when the block ends, so the benchmark leaves nothing behind)."""
    if url is None:
        yield f"sqlite:///{(folder / 'bench.sqlite3').as_posix()}"
        return
    base = make_url(url)
    if base.get_backend_name() != "postgresql":
        yield url
        return
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    schema = f"kojin_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def numbers(count: int) -> Iterator[str]:
    """`count` distinct valid numbers, written as the card prints them."""
    rng = random.Random(2026)
    seen: set[str] = set()
    while len(seen) < count:
        base = f"{rng.randrange(10**11):011d}"
        number = base + str(my_number_check_digit(base))
        if number not in seen:
            seen.add(number)
            yield f"{number[:4]} {number[4:8]} {number[8:]}"


def add_people(database: Database, cipher: FieldCipher, count: int) -> list[str]:
    """`count` subjects of specific personal information, inserted in bulk (set-up only)."""
    now = utcnow()
    ids = [f"{i:032x}" for i in range(1, count + 1)]
    table = Subject.__table__
    assert isinstance(table, Table)
    for start in range(0, count, 5_000):
        rows = [
            {
                "id": sid,
                "category": "specific_personal",
                "created_at": now,
                "key_id": cipher.current_key_id,
                "name_enc": cipher.encrypt(f"payee {sid[-6:]}", context=f"subjects.name.{sid}"),
                "stop_use": False,
                "stop_provision": False,
            }
            for sid in ids[start : start + 5_000]
        ]
        with database.uow() as session:
            session.execute(insert(table), rows)
    return ids


def timed(label: str, count: int, work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    print(f"{label:<62} {count / elapsed:>10,.0f} /s   ({elapsed:,.1f} s for {count:,})")
    return count / elapsed


def baseline(count: int, plain: list[str]) -> tuple[float, float]:
    """The cryptography alone, in memory: (registrations, reveals) per second."""
    vault_key = new_data_key()
    stored: list[tuple[str, bytes, Sealed]] = []

    def register() -> None:
        for index, number in enumerate(plain):
            record_id = f"{index:032x}"
            data_key = new_data_key()
            sealed = seal(data_key, number.encode(), aad=number_aad(record_id))
            stored.append((record_id, aes_key_wrap(vault_key, data_key), sealed))

    def reveal() -> None:
        for record_id, wrapped, sealed in stored:
            data_key = aes_key_unwrap(vault_key, wrapped)
            unseal(data_key, sealed, aad=number_aad(record_id), what="baseline")

    return (
        timed("baseline: data key + seal + wrap (no kojin)", count, register),
        timed("baseline: unwrap + open (no kojin)", count, reveal),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="numbers to register")
    parser.add_argument("--batch", type=int, default=100, help="operations per transaction")
    parser.add_argument("--url", default=os.environ.get("KOJIN_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    count, batch = args.count, max(1, args.batch)
    written = list(numbers(count))
    with tempfile.TemporaryDirectory() as tmp, bench_database(args.url, Path(tmp)) as url:
        home = Path(tmp) / "home"
        settings = Settings(home=home, database_url=url)
        keyring = Keyring.generate(path=keyring_path(settings))
        keyring.save()
        upgrade(url)
        database = Database.from_url(url, sqlite_synchronous=settings.sqlite_synchronous)
        vault = Vault.open(settings=settings, registry=database, policy=to_facts(load_policy()))
        people = add_people(database, FieldCipher(keyring), count)
        with vault.transaction() as sessions:
            designate_handler(
                sessions=sessions,
                policy=vault.policy,
                actor="staff:bench",
                body=HandlerIn(actor=HANDLER, affairs=[AFFAIR], department="経理部"),
            )
        print(
            f"backend: {database.engine.dialect.name}; {count:,} numbers; "
            f"{batch} per transaction; vault in the registry's database"
        )
        base_register, base_reveal = baseline(count, [w.replace(" ", "") for w in written])
        records: list[str] = []

        def register_all() -> None:
            for start in range(0, count, batch):
                with vault.transaction() as sessions:
                    for person, number in zip(
                        people[start : start + batch], written[start : start + batch], strict=True
                    ):
                        out = register_number(
                            vault=vault,
                            sessions=sessions,
                            actor=HANDLER,
                            body=RegistrationIn(
                                subject_id=person,
                                number=SecretStr(number),
                                affairs=[AFFAIR],
                                route=VerificationRoute.MY_NUMBER_CARD,
                                document_types=[IdentityDocument.MY_NUMBER_CARD],
                                purpose_stated=True,
                                acquired_on=date(2026, 1, 5),
                            ),
                        )
                        records.append(out.record.id)

        revealed: list[str] = []

        def reveal_all() -> None:
            for start in range(0, count, batch):
                chunk: list[str] = []
                with vault.transaction() as sessions:
                    for record_id in records[start : start + batch]:
                        out = reveal_number(
                            vault=vault,
                            sessions=sessions,
                            actor=HANDLER,
                            record_id=record_id,
                            affair=AFFAIR,
                            reason="payment records 2026",
                        )
                        chunk.append(out.number)
                revealed.extend(chunk)  # returned once the audit entries are committed

        registered = timed("register_number (acquire decision + audit)", count, register_all)
        print(f"{'':<62} {registered / base_register:>10.4f} x baseline")
        reveals = timed("reveal_number (use decision + audit)", count, reveal_all)
        print(f"{'':<62} {reveals / base_reveal:>10.4f} x baseline")
        assert revealed == [w.replace(" ", "") for w in written]
        with database.read() as session:
            start = time.perf_counter()
            result = verify_chain(session=session)
            elapsed = time.perf_counter() - start
        assert result.ok, result.reason
        print(f"audit chain: {result.checked:,} entries verified in {elapsed:,.1f} s")
        vault.close()
        database.dispose()


if __name__ == "__main__":
    main()
