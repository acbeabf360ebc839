"""Status callbacks (section 2.03): telling an agent that its request moved.

Nothing is sent inside a transaction. The drp_requests row remembers which kojin state the agent
last heard of (``notified_state``); a request whose kojin state differs from it, or whose
``callback_due_at`` has come, is due. :func:`send_pending_callbacks` (run by the server at
intervals, :class:`PeriodicCallbacks`, or by a worker) claims the due rows for a few minutes in
one unit of work, posts each status object outside any transaction, and records the outcome in
another: a 2xx answer is delivered; anything else is tried again later (:data:`BACKOFF`), and
given up after :data:`MAX_ATTEMPTS` tries or at once when the address is refused. A process that
dies after claiming leaves the rows due again when the claim lapses. An agent may hear the same
status twice, never miss the newest one while attempts remain.

:func:`notify_status_change` is what a service calls after moving a request: it makes the
callback due now (even when an earlier one is waiting to be retried). A state change made
without it is still found by the next run.

The URL is posted to without following redirects, only over http(s), and only to public
addresses unless ``KOJIN_DRP_CALLBACK_PRIVATE_HOSTS`` is true (:mod:`kojin.drp.addresses`). The
answer's body is not read. Once a final status was delivered (or given up) the URL is erased.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import httpx
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.drp.addresses import AddressRefused, resolve_public
from kojin.drp.models import DrpRequest
from kojin.drp.status import status_object
from kojin.drp.vocabulary import FINAL_STATUSES, DrpStatus
from kojin.periodic import PeriodicThread
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState
from kojin.settings import Settings

log = logging.getLogger("kojin.drp")

CALLBACK_ACTOR: Final = "kojin:drp-callbacks"
#: seconds a run may take to deliver what it claimed before another run may claim it again
CLAIM: Final = timedelta(minutes=5)
#: waits after the 1st, 2nd, ... failed attempt
BACKOFF: Final = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS: Final = len(BACKOFF) + 1
TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
#: seconds between a server's runs
DEFAULT_INTERVAL: Final = 30.0
USER_AGENT: Final = "kojin-drp/1.0"
#: failures that trying again cannot mend
_PERMANENT: Final = frozenset({"address_refused", "scheme_refused"})


def url_context(drp_id: str) -> str:
    return f"drp_requests.status_callback:{drp_id}"


def notify_status_change(*, session: Session, settings: Settings, request_id: str) -> bool:
    """Make the status callback of the kojin request `request_id` due now (call it in the unit
    of work that moved the request). False when the request did not come by the protocol or
    names no callback. Sending happens later, outside the transaction."""
    del settings  # the same signature as the other services; nothing here depends on it
    row = session.execute(
        select(DrpRequest).where(DrpRequest.data_request_id == request_id).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.status_callback_enc is None:
        return False
    row.callback_due_at = utcnow()
    row.callback_attempts = 0
    session.flush()
    return True


@dataclass(frozen=True, slots=True)
class _Claimed:
    drp_id: str
    url: str
    body: dict[str, object]
    status: DrpStatus
    key: str
    state: str


@dataclass(frozen=True, slots=True)
class CallbackReport:
    """What one run did."""

    delivered: int
    retrying: int
    abandoned: int

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.abandoned


def _claim(
    session: Session, cipher: FieldCipher, settings: Settings, now: datetime, limit: int
) -> list[_Claimed]:
    query = (
        select(DrpRequest, DataRequest)
        .join(DataRequest, DataRequest.id == DrpRequest.data_request_id)
        .where(
            DrpRequest.status_callback_enc.is_not(None),
            or_(
                DrpRequest.callback_due_at <= now,
                and_(
                    DrpRequest.callback_due_at.is_(None),
                    or_(
                        DataRequest.state != DrpRequest.notified_state,
                        # an unconfirmed request purged since: it expired
                        and_(
                            DataRequest.purged_at.is_not(None),
                            DataRequest.state == RequestState.EMAIL_UNVERIFIED.value,
                            DrpRequest.notified_status != DrpStatus.EXPIRED.value,
                        ),
                    ),
                ),
            ),
        )
        .order_by(DrpRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=DrpRequest)
    )
    claimed: list[_Claimed] = []
    for drp, data in session.execute(query).all():
        status = status_object(drp=drp, data=data, settings=settings)
        url = cipher.decrypt(drp.status_callback_enc or "", context=url_context(drp.id))
        drp.callback_due_at = now + CLAIM
        claimed.append(_Claimed(drp.id, url, status.body(), status.status, status.key, data.state))
    session.flush()
    return claimed


def post_status(url: str, body: dict[str, object], *, allow_private: bool) -> str | None:
    """POST `body` as JSON to `url` (see the module docstring); None when the agent answered
    2xx, else why not: ``http_<status>``, ``address_refused``, ``scheme_refused``,
    ``dns_failed`` or the class of the transport error."""
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        return "scheme_refused"
    if target.scheme not in ("http", "https") or not target.raw_host:
        return "scheme_refused"
    host = target.raw_host.decode("ascii").strip("[]")
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = resolve_public(host, port, allow_private=allow_private)
    except AddressRefused:
        return "address_refused"
    except OSError:
        return "dns_failed"
    headers = {
        "Host": target.netloc.decode("ascii"),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    extensions: dict[str, object] = {"timeout": TIMEOUT.as_dict()}
    if target.scheme == "https":
        extensions["sni_hostname"] = host  # the certificate is checked for the name
    content = json.dumps(body, ensure_ascii=False).encode()
    error = "dns_failed"
    # the transport itself, not a Client: a Client logs every URL it calls, and a callback URL
    # may name the user; a transport follows no redirects and reads no proxy settings
    with httpx.HTTPTransport(retries=0) as transport:
        for address in addresses:  # the next one only when this one cannot be reached
            request = httpx.Request(
                "POST",
                target.copy_with(host=address),
                content=content,
                headers=headers,
                extensions=extensions,
            )
            try:
                response = transport.handle_request(request)
            except httpx.ConnectError as exc:
                error = type(exc).__name__
                continue
            except httpx.HTTPError as exc:
                return type(exc).__name__[:64]
            code = response.status_code
            response.close()  # the answer's body is not read
            break
        else:
            return error
    return None if 200 <= code < 300 else f"http_{code}"


def _record(session: Session, item: _Claimed, error: str | None, now: datetime) -> str:
    """Store the outcome of one attempt; ``delivered``, ``retrying`` or ``abandoned``."""
    row = session.get(DrpRequest, item.drp_id, with_for_update=True)
    if row is None:  # pragma: no cover - rows are never deleted
        return "abandoned"
    row.callback_last_at = now
    row.callback_last_error = error
    details: dict[str, object] = {"drp_request_id": item.drp_id, "status": item.key}
    if error is None:
        outcome = "delivered"
    else:
        row.callback_attempts += 1
        details.update(error=error, attempts=row.callback_attempts)
        if error not in _PERMANENT and row.callback_attempts < MAX_ATTEMPTS:
            row.callback_due_at = now + BACKOFF[row.callback_attempts - 1]
            log.warning(
                "drp callback for %s failed (%s); attempt %d of %d",
                item.drp_id,
                error,
                row.callback_attempts,
                MAX_ATTEMPTS,
            )
            return "retrying"
        outcome = "abandoned"
    row.notified_state = item.state
    row.notified_status = item.key
    row.callback_due_at = None
    row.callback_attempts = 0
    if item.status in FINAL_STATUSES:
        row.status_callback_enc = None  # nothing more will be sent
    append_entry(
        session=session,
        actor=CALLBACK_ACTOR,
        action="drp.callback_delivered" if outcome == "delivered" else "drp.callback_abandoned",
        object_type="drp_request",
        object_id=item.drp_id,
        details=details,
        now=now,
    )
    return outcome


def send_pending_callbacks(
    *,
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    now: datetime | None = None,
    limit: int = 100,
) -> CallbackReport:
    """Send up to `limit` due callbacks (see the module docstring). Runs its own units of work:
    one to claim, one per delivery to record it; the posts happen between them."""
    started = now or utcnow()
    with database.uow() as session:
        claimed = _claim(session, cipher, settings, started, limit)
    counts = {"delivered": 0, "retrying": 0, "abandoned": 0}
    for item in claimed:
        error = post_status(item.url, item.body, allow_private=settings.drp_callback_private_hosts)
        with database.uow() as session:
            counts[_record(session, item, error, now or utcnow())] += 1
    return CallbackReport(**counts)


class PeriodicCallbacks(PeriodicThread):
    """A daemon thread that runs :func:`send_pending_callbacks` every `interval` seconds
    (nothing when the interval is 0); failures are logged without values and tried again."""

    def __init__(
        self,
        *,
        database: Database,
        cipher: Callable[[], FieldCipher],
        settings: Settings,
        interval: float,
    ) -> None:
        super().__init__(interval=interval, name="drp-callbacks", log=log)
        self._database = database
        self._cipher = cipher
        self._settings = settings

    @classmethod
    def from_settings(
        cls, settings: Settings, database: Database, cipher: Callable[[], FieldCipher]
    ) -> PeriodicCallbacks:
        """Every ``KOJIN_DRP_CALLBACK_INTERVAL`` seconds."""
        return cls(
            database=database,
            cipher=cipher,
            settings=settings,
            interval=settings.drp_callback_interval,
        )

    def run_now(self) -> CallbackReport:
        return send_pending_callbacks(
            database=self._database, cipher=self._cipher(), settings=self._settings
        )
