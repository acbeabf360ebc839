"""Third-party provision, opt-out and joint use, as blocks of the notice (APPI Art. 27;
R-TP-OO-1, R-TP-NT-1, R-TP-NT-3(a), R-PS-3)."""

from __future__ import annotations

from kojin.policy.model import JointUseArrangement, OptOut, Policy
from kojin.policy.model_base import JointUseItem, Lang
from kojin.policy.notice_blocks import BlockBuilder
from kojin.policy.notice_contacts import format_address
from kojin.policy.notice_labels import format_date, label, numbered


def _sep(lang: Lang) -> str:
    """Between a label and its value."""
    return "：" if lang == "ja" else ": "


def _comma(lang: Lang) -> str:
    """Between short values (items, names)."""
    return "、" if lang == "ja" else ", "


def _semicolon(lang: Lang) -> str:
    """Between values that may hold commas themselves (addresses, purposes)."""
    return "、" if lang == "ja" else "; "


def third_party_provision(policy: Policy, b: BlockBuilder, lang: Lang, number: int) -> None:
    tpp = policy.general.third_party_provision
    b.heading(3, numbered(number, tpp.title.get(lang)), anchor="third-party-provision")
    b.para(tpp.statement.get(lang))
    b.bullets([clause.text.get(lang) for clause in tpp.exceptions])
    if tpp.opt_out is not None:
        _opt_out(policy, tpp.opt_out, b, lang)


def _operator(policy: Policy, lang: Lang) -> str:
    """Rule 11 item 1: the operator's name, address and representative."""
    org = policy.organization
    rep = org.representative
    who = (
        f"{rep.title.get(lang)} {rep.name.get(lang)}"
        if lang == "ja"
        else f"{rep.name.get(lang)}, {rep.title.get(lang)}"
    )
    address = format_address(org.address.text.get(lang), org.address.postal_code, None, lang)
    return _semicolon(lang).join([org.name.get(lang), address, label("representative", lang) + who])


def _opt_out(policy: Policy, opt_out: OptOut, b: BlockBuilder, lang: Lang) -> None:
    """The matters notified and filed for provision by opt-out (Art. 27(2); Rule 11), published
    in their own subsection (R-TP-OO-1)."""
    sep = _sep(lang)
    b.heading(4, opt_out.title.get(lang), anchor="opt-out")
    b.para(label("opt_out_intro", lang).format(operator=policy.organization.short_name.get(lang)))
    matters = [
        ("opt_out_operator", _operator(policy, lang)),
        ("opt_out_purpose", opt_out.purpose.get(lang)),
        ("opt_out_items", _comma(lang).join(item.get(lang) for item in opt_out.items)),
        ("opt_out_acquisition", opt_out.acquisition_method.get(lang)),
        ("opt_out_provision", opt_out.provision_method.get(lang)),
        ("opt_out_stop", opt_out.stop_on_request.get(lang)),
        ("opt_out_requests", opt_out.request_method.get(lang)),
        ("opt_out_update", opt_out.update_method.get(lang)),
        ("opt_out_start", format_date(opt_out.start_date, lang)),
    ]
    if opt_out.filed_on is not None:
        matters.append(("opt_out_filed", format_date(opt_out.filed_on, lang)))
    b.bullets([label(key, lang) + sep + value for key, value in matters])


def joint_use(policy: Policy, b: BlockBuilder, lang: Lang, number: int) -> None:
    joint = policy.general.joint_use
    b.heading(3, numbered(number, joint.title.get(lang)), anchor="joint-use")
    for paragraph in joint.paragraphs:
        b.para(paragraph.get(lang))
    b.bullets([notice.text.get(lang) for notice in joint.published_items])
    # an arrangement lacking an item is not joint use and is not published (R-TP-NT-3(a))
    published = [a for a in joint.arrangements if not a.missing]
    if not published:
        return
    b.heading(4, joint.arrangements_title.get(lang), anchor="joint-use-arrangements")
    for arrangement in published:
        _arrangement(policy, arrangement, b, lang)


def _arrangement(
    policy: Policy, arrangement: JointUseArrangement, b: BlockBuilder, lang: Lang
) -> None:
    names = {n.item: n.text.get(lang) for n in policy.general.joint_use.published_items}
    sep, comma = _sep(lang), _comma(lang)
    party, users = arrangement.responsible_party, arrangement.users
    assert party is not None
    assert users is not None
    # whether pseudonymized information is jointly used too (Art. 41(6); R-PS-3)
    b.para(
        label(
            "joint_use_pseudonymized"
            if arrangement.includes_pseudonymized
            else "joint_use_personal_only",
            lang,
        )
    )
    members = comma.join(member.name.get(lang) for member in arrangement.members)
    joint_users = label("joint_users", lang) + sep + members
    users_line = (
        f"{users.get(lang)}（{joint_users}）"
        if lang == "ja"
        else f"{users.get(lang)} ({joint_users})"
    )
    purposes = list(
        dict.fromkeys(
            purpose.text.get(lang)
            for category in policy.categories
            if category.id in arrangement.categories
            for purpose in category.purposes
            if purpose.id in arrangement.purposes
        )
    )
    who = [
        party.name.get(lang),
        format_address(party.address.text.get(lang), party.address.postal_code, None, lang),
    ]
    if party.representative is not None:
        who.append(label("representative", lang) + party.representative.get(lang))
    b.bullets(
        [
            names[JointUseItem.ITEMS]
            + sep
            + comma.join(item.text.get(lang) for item in arrangement.items),
            names[JointUseItem.USERS] + sep + users_line,
            # purposes are phrases with commas of their own
            names[JointUseItem.PURPOSES] + sep + ("／" if lang == "ja" else "; ").join(purposes),
            names[JointUseItem.RESPONSIBLE_PARTY] + sep + _semicolon(lang).join(who),
        ]
    )
