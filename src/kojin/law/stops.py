"""Requests in force that stop handling (APPI Art. 35; R-RT-6), and withdrawn consent.

A stop-use or stop-provision request recorded in the facts denies the matching action unless a
statutory exception applies; a recorded withdrawal of consent outweighs the consent a request
states (the consent is treated as absent, see ``situation.py``).
"""

from __future__ import annotations

from kojin.law.citations import Rule, Verdict, allow, appi, deny
from kojin.law.situation import Situation
from kojin.law.statutory_exceptions import Context, exception_for

STOP_USE = Rule(
    "R-RT-6",
    appi(35, 2),
    "A request to stop using the person's data is in force, and no statutory exception applies.",
    "本人からの利用停止の請求が有効であり、法定の例外にも該当しない。",
)
STOP_PROVISION = Rule(
    "R-RT-6",
    appi(35, 4),
    "A request to stop providing the person's data to third parties is in force, and no "
    "statutory exception applies.",
    "本人からの第三者提供停止の請求が有効であり、法定の例外にも該当しない。",
)
STOP_USE_OVERRIDDEN = Rule(
    "R-RT-6",
    appi(35, 2),
    "A stop-use request is in force, but the statutory exception prevails over it.",
    "利用停止の請求が有効であるが、法定の例外が優先する。",
)
STOP_PROVISION_OVERRIDDEN = Rule(
    "R-RT-6",
    appi(35, 4),
    "A stop-provision request is in force, but the statutory exception prevails over it.",
    "第三者提供停止の請求が有効であるが、法定の例外が優先する。",
)
CONSENT_WITHDRAWN_USE = Rule(
    "R-CH-6",
    appi(18, 1),
    "The person's consent is recorded as withdrawn; it outweighs any consent the request states.",
    "本人の同意は撤回された記録があり、依頼に記載された同意より優先する。",
)
CONSENT_WITHDRAWN_PROVIDE = Rule(
    "R-CH-6",
    appi(27, 1),
    "The person's consent is recorded as withdrawn; it outweighs any consent the request states.",
    "本人の同意は撤回された記録があり、依頼に記載された同意より優先する。",
)


def _check(s: Situation, context: Context, stop: Rule, overridden: Rule) -> Verdict:
    check = exception_for(s, context)
    if check.applies is not None:
        return allow(check.applies, overridden)
    return deny(stop, *check.notes)


def stop_use(s: Situation, context: Context = Context.USE) -> Verdict | None:
    """The verdict a stop-use request forces on a use, or None when none is in force."""
    if not s.facts.stop_use:
        return None
    return _check(s, context, STOP_USE, STOP_USE_OVERRIDDEN)


def stop_provision(s: Situation, context: Context) -> Verdict | None:
    """The verdict a stop-provision request forces on a provision, or None."""
    if not s.facts.stop_provision:
        return None
    return _check(s, context, STOP_PROVISION, STOP_PROVISION_OVERRIDDEN)
