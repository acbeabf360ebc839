"""Person-related information (APPI Art. 31; R-DEF-8, R-PRI-1..3).

PRI is not personal information: the operator's own handling is free, but providing it to a
recipient expected to acquire it as personal data needs the person's confirmed consent (with the
foreign information for recipients abroad) and a provider record.
"""

from __future__ import annotations

from kojin.law import obligations as ob
from kojin.law.appi_foreign import ForeignStatus, foreign_status
from kojin.law.citations import Duty, Rule, Verdict, allow, appi, deny
from kojin.law.situation import Situation
from kojin.law.statutory_exceptions import Context, exception_for
from kojin.law.stops import stop_provision, stop_use

NOT_PERSONAL = Rule(
    "R-DEF-8",
    appi(2, 7),
    "Person-related information is not personal information; the operator's own handling of "
    "it is not limited by purpose.",
    "個人関連情報は個人情報ではなく、自社内での取扱いは利用目的による制限を受けない。",
)
NOT_IDENTIFYING_RECIPIENT = Rule(
    "R-PRI-1",
    appi(31, 1),
    "The recipient is not expected to acquire the data as personal data, so no consent is needed.",
    "提供先が個人関連情報を個人データとして取得することが想定されないため、個人関連情報取扱事業者"
    "による本人の同意の確認は不要である。",
)
CONFIRMED_CONSENT = Rule(
    "R-PRI-2",
    appi(31, 1, 1),
    "The person's consent to the recipient acquiring the data as personal data is confirmed.",
    "個人関連情報取扱事業者として、提供先が個人データとして取得することを認める旨の本人の同意が"
    "得られていることを確認している。",
)
NO_CONSENT = Rule(
    "R-PRI-2",
    appi(31, 1, 1),
    "The recipient will acquire the data as personal data, so the person's consent must be "
    "confirmed first; it is not.",
    "提供先が個人関連情報を個人データとして取得することが想定されるため、個人関連情報取扱事業者は"
    "本人の同意が得られていることを確認しなければならないが、確認されていない。",
)
NO_FOREIGN_INFORMATION = Rule(
    "R-PRI-2",
    appi(31, 1, 2),
    "For a recipient in {country}, the person must have been told the country, its system "
    "and the recipient's measures when consenting.",
    "{country_ja}にある提供先の場合、同意の際に外国の名称・制度・提供先の措置の情報が本人に提供"
    "されている必要がある。",
)
FOREIGN_INFORMATION = Rule(
    "R-PRI-2",
    appi(31, 1, 2),
    "The person was told the country, its system and the recipient's measures.",
    "外国の名称・制度・提供先の措置の情報が本人に提供されている。",
)
LINK_NEEDS_CONSENT = Rule(
    "R-PRI-2",
    appi(31, 1, 1),
    "Linking person-related information to identify the person acquires it as personal data; "
    "the policy does so only with the person's prior consent.",
    "個人関連情報を個人データとして取得するには、方針上、本人の事前の同意が必要である。",
)
LINK_WITH_CONSENT = Rule(
    "R-PRI-2",
    appi(31, 1, 1),
    "The person consented to the person-related information being acquired as personal data.",
    "本人は、個人関連情報を個人データとして取得することに同意している。",
)


def _exception(s: Situation) -> Rule | None:
    return exception_for(s, Context.PROVIDE_PRI).applies


def own_handling(s: Situation) -> Verdict:
    return allow(NOT_PERSONAL)


def use(s: Situation) -> Verdict:
    stopped = stop_use(s)
    if stopped is not None:
        return stopped
    return allow(NOT_PERSONAL)


def reidentify(s: Situation) -> Verdict:
    exception = _exception(s)
    if exception is not None:
        return allow(exception)
    if s.consent:
        if s.category.purposes_published:
            return allow(LINK_WITH_CONSENT)
        return allow(LINK_WITH_CONSENT, duties=(ob.NOTIFY_OR_PUBLISH_AFTER_ACQUISITION,))
    return deny(LINK_NEEDS_CONSENT)


def provide(s: Situation) -> Verdict:
    recipient = s.recipient
    if not recipient.will_identify:
        return allow(NOT_IDENTIFYING_RECIPIENT)
    stopped = stop_provision(s, Context.PROVIDE_PRI)
    if stopped is not None:
        return stopped
    exception = _exception(s)
    if exception is not None:
        return allow(exception)
    if not s.consent:
        return deny(NO_CONSENT)
    status = foreign_status(recipient)
    duties: tuple[Duty, ...] = (ob.RECORD_PRI_PROVISION,)
    if status is ForeignStatus.ARTICLE_28:
        if not s.foreign_information:
            return deny(NO_FOREIGN_INFORMATION, CONFIRMED_CONSENT)
        return allow(CONFIRMED_CONSENT, FOREIGN_INFORMATION, duties=duties)
    if status is ForeignStatus.RULE_16_RECIPIENT:
        duties += (ob.PERIODIC_CHECK_FOREIGN_RECIPIENT_PRI,)
    return allow(CONFIRMED_CONSENT, duties=duties)
