"""The mails a requester receives, in their language: the one-time code, and a note when their
request moves. They say no more than needed: the reference, the state, where to look; never
what the person wrote, and never a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.mail.message import MailMessage
from kojin.mail.service import deliver
from kojin.policy.model_base import Lang
from kojin.requests.states import RequestState
from kojin.settings import Settings

#: where the status page is, under the public URL
STATUS_PATH: Final = "/portal/status"
#: the portal's form for a stop request about an incident (``?incident=REF``)
INCIDENT_REQUEST_PATH: Final = "/portal/requests/new"
CODE_MINUTES: Final = 15

#: the code stays out of the subject, which phones show on a locked screen
_CODE_SUBJECT: Final[Mapping[Lang, str]] = {
    "en": "Your verification code",
    "ja": "確認コードのお知らせ",
}
_CODE_BODY: Final[Mapping[Lang, str]] = {
    "en": (
        "Thank you for your request.\n"
        "\n"
        "Your verification code is: {code}\n"
        "Please enter it within {minutes} minutes on the page where you submitted the request.\n"
        "\n"
        "Your request reference is: {reference}\n"
        "Please keep it. With your e-mail address, it opens the status page:\n"
        "{status_url}\n"
        "\n"
        "If you did not make this request, please disregard this e-mail.\n"
    ),
    "ja": (
        "ご請求いただき、ありがとうございます。\n"
        "\n"
        "確認コード：{code}\n"
        "{minutes}分以内に、ご請求を送信した画面で確認コードを入力してください。\n"
        "\n"
        "受付番号：{reference}\n"
        "受付番号は大切に保管してください。受付番号とメールアドレスで、"
        "次のページから状況をご確認いただけます。\n"
        "{status_url}\n"
        "\n"
        "お心当たりのない場合は、このメールを破棄してください。\n"
    ),
}

STATE_LABELS: Final[Mapping[Lang, Mapping[RequestState, str]]] = {
    "en": {
        RequestState.EMAIL_UNVERIFIED: "waiting for the e-mail confirmation",
        RequestState.RECEIVED: "received",
        RequestState.AWAITING_DOCUMENTS: "waiting for a document from you",
        RequestState.AWAITING_FEE: "waiting for the fee",
        RequestState.IN_REVIEW: "under review",
        RequestState.COMPLETED: "completed",
        RequestState.PARTLY_COMPLETED: "partly completed",
        RequestState.REFUSED: "not granted",
        RequestState.WITHDRAWN: "withdrawn",
    },
    "ja": {
        RequestState.EMAIL_UNVERIFIED: "メールアドレスの確認待ち",
        RequestState.RECEIVED: "受付済み",
        RequestState.AWAITING_DOCUMENTS: "書類の再提出待ち",
        RequestState.AWAITING_FEE: "手数料のお支払い待ち",
        RequestState.IN_REVIEW: "確認中",
        RequestState.COMPLETED: "対応完了",
        RequestState.PARTLY_COMPLETED: "一部対応完了",
        RequestState.REFUSED: "ご請求に応じられない旨の決定",
        RequestState.WITHDRAWN: "取下げ",
    },
}

_MOVED_SUBJECT: Final[Mapping[Lang, str]] = {
    "en": "Your request {reference}: {label}",
    "ja": "ご請求（受付番号 {reference}）の状況のお知らせ",
}
_MOVED_BODY: Final[Mapping[Lang, str]] = {
    "en": (
        "The status of your request {reference} is now: {label}.\n"
        "{extra}"
        "\n"
        "Please see the status page for details (enter the reference and your e-mail address):\n"
        "{status_url}\n"
    ),
    "ja": (
        "ご請求（受付番号 {reference}）の状況が「{label}」となりました。\n"
        "{extra}"
        "\n"
        "詳しくは、次のページに受付番号とメールアドレスを入力してご確認ください。\n"
        "{status_url}\n"
    ),
}
_EXTRA: Final[Mapping[Lang, Mapping[RequestState, str]]] = {
    "en": {
        RequestState.AWAITING_DOCUMENTS: "Please upload the document again on the status page.\n",
        RequestState.AWAITING_FEE: (
            "Please pay the fee of {fee} yen; the status page explains how.\n"
        ),
        RequestState.COMPLETED: "The result is on the status page.\n",
        RequestState.PARTLY_COMPLETED: "The result and the reasons are on the status page.\n",
        RequestState.REFUSED: "The reasons are on the status page.\n",
    },
    "ja": {
        RequestState.AWAITING_DOCUMENTS: "状況確認ページから書類を再度アップロードしてください。\n",
        RequestState.AWAITING_FEE: (
            "手数料{fee}円のお支払いをお願いいたします。お支払い方法は状況確認ページでご案内しています。\n"
        ),
        RequestState.COMPLETED: "結果は状況確認ページでご確認いただけます。\n",
        RequestState.PARTLY_COMPLETED: "結果と理由は状況確認ページでご確認いただけます。\n",
        RequestState.REFUSED: "理由は状況確認ページでご確認いただけます。\n",
    },
}


def status_url(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + STATUS_PATH


def code_mail(*, lang: Lang, code: str, reference: str, settings: Settings) -> tuple[str, str]:
    """(subject, body) of the mail carrying a one-time code."""
    values = {
        "code": code,
        "minutes": CODE_MINUTES,
        "reference": reference,
        "status_url": status_url(settings),
    }
    return _CODE_SUBJECT[lang].format(**values), _CODE_BODY[lang].format(**values)


def moved_mail(
    *, lang: Lang, state: RequestState, reference: str, fee_yen: int | None, settings: Settings
) -> tuple[str, str]:
    """(subject, body) of the mail saying a request moved to `state`."""
    label = STATE_LABELS[lang][state]
    extra = _EXTRA[lang].get(state, "").format(fee=f"{fee_yen or 0:,}")
    values = {
        "reference": reference,
        "label": label,
        "extra": extra,
        "status_url": status_url(settings),
    }
    return _MOVED_SUBJECT[lang].format(**values), _MOVED_BODY[lang].format(**values)


def _send(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    to: str,
    subject: str,
    text: str,
    purpose: str,
    now: datetime,
) -> str:
    """Hand the mail to :func:`kojin.mail.service.deliver` (SMTP, or the encrypted outbox)."""
    return deliver(
        session=session,
        cipher=cipher,
        settings=settings,
        message=MailMessage(to=to, subject=subject, text=text),
        purpose=purpose,
        now=now,
    )


def send_code(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    to: str,
    lang: Lang,
    code: str,
    reference: str,
    now: datetime,
) -> str:
    subject, text = code_mail(lang=lang, code=code, reference=reference, settings=settings)
    return _send(
        session=session,
        cipher=cipher,
        settings=settings,
        to=to,
        subject=subject,
        text=text,
        purpose="request.email_code",
        now=now,
    )


def send_moved(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    to: str,
    lang: Lang,
    state: RequestState,
    reference: str,
    fee_yen: int | None,
    now: datetime,
) -> str:
    subject, text = moved_mail(
        lang=lang, state=state, reference=reference, fee_yen=fee_yen, settings=settings
    )
    return _send(
        session=session,
        cipher=cipher,
        settings=settings,
        to=to,
        subject=subject,
        text=text,
        purpose="request.state_changed",
        now=now,
    )
