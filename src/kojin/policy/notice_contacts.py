"""Inquiry procedure, contacts and the certified organization, as blocks of the notice."""

from __future__ import annotations

from kojin.policy.model import Contact, Inquiries, Policy
from kojin.policy.model_base import Lang
from kojin.policy.notice_blocks import BlockBuilder
from kojin.policy.notice_labels import fee_text, join_documents, label


def format_address(text: str, postal_code: str | None, country: str | None, lang: Lang) -> str:
    if lang == "ja":
        head = f"〒{postal_code} " if postal_code else ""
        return f"{head}{text}"
    return " ".join(part for part in (text, postal_code, country) if part)


def contact_lines(contact: Contact, lang: Lang) -> list[str]:
    address = contact.address
    lines = [
        format_address(address.text.get(lang), address.postal_code, None, lang),
        contact.department.get(lang),
    ]
    for channel in contact.channels:
        text = channel.label.get(lang)
        lines.append(f"[{text}]({link_target(channel.url)})" if channel.url else text)
    return lines


def link_target(url: str) -> str:
    """`url` as the target of a ``[label](url)`` link: brackets and spaces, which would end the
    link early in Markdown, percent-encoded."""
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def add_inquiries(
    policy: Policy, b: BlockBuilder, inq: Inquiries, title: str, lang: Lang, *, anchor: str
) -> None:
    b.heading(3, title, anchor=anchor)
    b.para(inq.statement.get(lang))
    procedure = inq.procedure.get(lang).format_map(
        {
            "documents": join_documents([d.text.get(lang) for d in inq.required_documents], lang),
            "fee": fee_text(inq.fees, lang),
        }
    )
    b.para(procedure)
    b.para(inq.refusal_intro.get(lang))
    b.bullets([clause.text.get(lang) for clause in inq.refusal_grounds])
    if inq.note is not None:
        b.para(label("note", lang) + inq.note.get(lang))
    management = policy.management
    rep = management.protection_management_representative
    sep = "：" if lang == "ja" else ": "
    b.para(
        management.representative_label.get(lang)
        + sep
        + (
            f"{rep.title.get(lang)} {rep.name.get(lang)}"
            if lang == "ja"
            else f"{rep.name.get(lang)}, {rep.title.get(lang)}"
        )
    )
    b.para(inq.contact_title.get(lang), strong=True)
    contact = policy.contact(inq.contact)
    if contact is not None:
        b.lines(contact_lines(contact, lang))
    certified_organization(policy, b, lang)


def certified_organization(policy: Policy, b: BlockBuilder, lang: Lang) -> None:
    org = policy.certified_organization
    if org is None:
        return
    b.heading(4, org.title.get(lang))
    b.para(org.name_heading.get(lang), strong=True)
    b.para(org.name.get(lang))
    b.para(org.contact_heading.get(lang), strong=True)
    country = org.address.country.get(lang) if org.address.country else None
    b.lines(
        [
            org.office.get(lang),
            label("address", lang)
            + format_address(org.address.text.get(lang), org.address.postal_code, country, lang),
            label("telephone", lang) + " / ".join(org.phones),
        ]
    )
    for note in org.notes:
        b.para(note.get(lang))
