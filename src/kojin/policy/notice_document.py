"""The published notice as a tree of parts and blocks, rendered as Markdown or as HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kojin.policy.model import Anonymized, Category, Policy
from kojin.policy.model_base import AnonymizedPublication, CategoryScope, Lang
from kojin.policy.notice_blocks import (
    AnonymizedDatasetNotice,
    BlockBuilder,
    NoticeDocument,
    Part,
)
from kojin.policy.notice_contacts import add_inquiries, contact_lines, format_address
from kojin.policy.notice_items import dataset_item, policy_labels
from kojin.policy.notice_labels import dated, label, numbered, sub_numbered
from kojin.policy.notice_provision import joint_use, third_party_provision

__all__ = ["AnonymizedDatasetNotice", "NoticeDocument", "build_document"]


def build_document(
    policy: Policy, *, lang: Lang, anonymized_datasets: Sequence[AnonymizedDatasetNotice] = ()
) -> NoticeDocument:
    parts = [_introduction(policy, lang), _basic_policy(policy, lang)]
    parts.append(_general(policy, lang, anonymized_datasets))
    if policy.specific_personal is not None:
        parts.append(_specific_personal(policy, lang))
    if policy.retired_employees is not None:
        parts.append(_retired(policy, lang))
    org = policy.organization
    return NoticeDocument(
        lang=lang,
        title=policy.notice.title.get(lang),
        parts=tuple(parts),
        revised=dated(policy.basic_policy.revised_label.get(lang), org.revised_on, lang),
    )


def _introduction(policy: Policy, lang: Lang) -> Part:
    intro = policy.notice.introduction
    b = BlockBuilder(lang)
    for paragraph in intro.paragraphs:
        b.para(paragraph.get(lang))
    return Part("introduction", intro.title.get(lang), tuple(b.blocks))


def _basic_policy(policy: Policy, lang: Lang) -> Part:
    basic, org = policy.basic_policy, policy.organization
    b = BlockBuilder(lang)
    b.para(basic.preamble.get(lang))
    number = 0
    for number, principle in enumerate(basic.principles, start=1):
        b.heading(3, numbered(number, principle.title.get(lang)))
        for paragraph in principle.paragraphs:
            b.para(paragraph.get(lang))
        b.bullets([item.text.get(lang) for item in principle.items])
    b.heading(3, numbered(number + 1, basic.security.title.get(lang)))
    for paragraph in basic.security.paragraphs:
        b.para(paragraph.get(lang))
    for control in basic.security.controls:
        b.heading(4, control.title.get(lang))
        b.para(control.text.get(lang))
    rep = org.representative
    # a Japanese signature puts the title before the name
    signature = [rep.title, rep.name] if lang == "ja" else [rep.name, rep.title]
    b.lines(
        [
            dated(basic.established_label.get(lang), org.established_on, lang),
            dated(basic.revised_label.get(lang), org.revised_on, lang),
            format_address(org.address.text.get(lang), org.address.postal_code, None, lang),
            *(text.get(lang) for text in signature),
        ]
    )
    b.para(org.effected_areas_title.get(lang), strong=True)
    b.lines([area.get(lang) for area in org.effected_areas])
    return Part("basic-policy", basic.title.get(lang), tuple(b.blocks))


def _categories(
    b: BlockBuilder, categories: Sequence[Category], lang: Lang, *, titled: bool
) -> None:
    for index, category in enumerate(categories, start=1):
        if titled:
            b.heading(4, sub_numbered(index, category.title.get(lang), lang))
        for paragraph in category.introduction:
            b.para(paragraph.get(lang))
        b.bullets([purpose.text.get(lang) for purpose in category.purposes])
        if category.subcontractor_provision is not None:
            b.para(category.subcontractor_provision.get(lang))
        if category.beyond_purpose_notice is not None:
            b.para(label("note", lang) + category.beyond_purpose_notice.get(lang))


def _general(policy: Policy, lang: Lang, datasets: Sequence[AnonymizedDatasetNotice]) -> Part:
    g = policy.general
    b = BlockBuilder(lang)
    b.heading(3, numbered(1, g.purposes_title.get(lang)), anchor="purposes")
    _categories(b, policy.categories_in(CategoryScope.GENERAL), lang, titled=True)
    third_party_provision(policy, b, lang, 2)
    joint_use(policy, b, lang, 3)

    number = 4
    b.heading(3, numbered(number, g.entrustment.title.get(lang)), anchor="entrustment")
    for paragraph in g.entrustment.paragraphs:
        b.para(paragraph.get(lang))

    if g.anonymized is not None:
        number += 1
        _anonymized(g.anonymized, b, lang, datasets, number)

    if g.pseudonymized is not None:
        number += 1
        b.heading(3, numbered(number, g.pseudonymized.title.get(lang)), anchor="pseudonymized")
        space = "" if lang == "ja" else " "
        b.para(
            g.pseudonymized.creation.get(lang)
            + space
            + g.pseudonymized.beyond_purpose_announcement.get(lang)
        )

    pri = g.person_related
    number += 1
    b.heading(3, numbered(number, pri.title.get(lang)), anchor="person-related")
    b.para(pri.definition.get(lang))
    for index, block in enumerate((pri.provision, pri.acquisition), start=1):
        b.heading(4, sub_numbered(index, block.title.get(lang), lang))
        for paragraph in block.paragraphs:
            b.para(paragraph.get(lang))

    fp = g.foreign_provision
    number += 1
    b.heading(3, numbered(number, fp.title.get(lang)), anchor="foreign-provision")
    b.para(fp.statement.get(lang))
    b.heading(4, sub_numbered(1, fp.consent.title.get(lang), lang))
    b.para(fp.consent.text.get(lang))
    b.bullets([item.text.get(lang) for item in fp.consent.items])
    b.heading(4, sub_numbered(2, fp.recipient_systems.title.get(lang), lang))
    for paragraph in fp.recipient_systems.paragraphs:
        b.para(paragraph.get(lang))

    _external_environment(policy, b, lang, number + 1)
    inquiries = numbered(number + 2, g.inquiries.title.get(lang))
    add_inquiries(policy, b, g.inquiries, inquiries, lang, anchor="inquiries")
    return Part("general", g.title.get(lang), tuple(b.blocks))


def _anonymized(
    an: Anonymized,
    b: BlockBuilder,
    lang: Lang,
    datasets: Sequence[AnonymizedDatasetNotice],
    number: int,
) -> None:
    b.heading(3, numbered(number, an.title.get(lang)), anchor="anonymized")
    for paragraph in an.paragraphs:
        b.para(paragraph.get(lang))
    b.bullets([notice.text.get(lang) for notice in an.published_items])
    b.para(an.supervision.get(lang))
    names = {notice.item: notice.text.get(lang) for notice in an.published_items}
    sep = "：" if lang == "ja" else ": "
    comma = "、" if lang == "ja" else ", "
    declared = [
        (names[AnonymizedPublication.CREATED_ITEMS], an.created_items),
        (names[AnonymizedPublication.PROVISION_METHODS], an.provision_methods),
        (names[AnonymizedPublication.SECURITY_MEASURES], an.security_measures),
    ]
    if any(values for _, values in declared):
        b.heading(4, label("anonymized_published", lang))
        b.bullets(
            [
                name + sep + comma.join(v.get(lang) for v in values)
                for name, values in declared
                if values
            ]
        )
    if datasets:
        labels = policy_labels(an.created_items)
        b.heading(4, label("anonymized_datasets", lang))
        b.bullets(
            [
                _dataset_line(d, lang, labels)
                for d in sorted(datasets, key=lambda d: (d.created_on, d.name))
            ]
        )


def _dataset_line(dataset: AnonymizedDatasetNotice, lang: Lang, labels: Mapping[str, str]) -> str:
    sep = "：" if lang == "ja" else ": "
    comma = "、" if lang == "ja" else ", "
    created = dated(label("created_on", lang), dataset.created_on, lang)
    items = (
        label("items", lang)
        + sep
        + comma.join(dataset_item(i, lang, labels) for i in dataset.items)
    )
    if not dataset.provided:
        provided = label("not_provided", lang)
    elif dataset.provision_method:
        provided = label("provided", lang) + sep + dataset.provision_method
    else:
        provided = label("provided_unspecified", lang)
    if lang == "ja":
        return f"{dataset.name}（{created}）{items}。{provided}。"
    return f"{dataset.name} ({created}). {items}. {provided}."


def _external_environment(policy: Policy, b: BlockBuilder, lang: Lang, number: int) -> None:
    env = policy.general.external_environment
    b.heading(3, numbered(number, env.title.get(lang)), anchor="external-environment")
    b.para(env.statement.get(lang))
    systems = {s.country: s.summary.get(lang) for s in env.country_systems}
    space = "" if lang == "ja" else " "
    index = 0
    for category in policy.categories:
        entries = [s for s in env.storage if s.category == category.id]
        if not entries:
            continue
        index += 1
        b.heading(4, sub_numbered(index, category.title.get(lang), lang))
        b.bullets(
            [
                space.join([s.text.get(lang), *(systems[c] for c in s.countries if c in systems)])
                for s in entries
            ]
        )


def _specific_personal(policy: Policy, lang: Lang) -> Part:
    sp = policy.specific_personal
    assert sp is not None
    b = BlockBuilder(lang)
    b.para(sp.definition.get(lang))
    b.heading(3, numbered(1, sp.purposes_title.get(lang)), anchor="specific-personal-purposes")
    categories = policy.categories_in(CategoryScope.SPECIFIC_PERSONAL)
    _categories(b, categories, lang, titled=len(categories) > 1)
    b.para(sp.written_acquisition.get(lang))
    blocks = (
        ("specific-personal-provision", sp.provision),
        ("specific-personal-joint-use", sp.joint_use),
        ("specific-personal-entrustment", sp.entrustment),
    )
    for number, (anchor, block) in enumerate(blocks, start=2):
        b.heading(3, numbered(number, block.title.get(lang)), anchor=anchor)
        b.para(block.statement.get(lang))
    inquiries = numbered(5, sp.inquiries.title.get(lang))
    add_inquiries(policy, b, sp.inquiries, inquiries, lang, anchor="specific-personal-inquiries")
    return Part("specific-personal", sp.title.get(lang), tuple(b.blocks))


def _retired(policy: Policy, lang: Lang) -> Part:
    section = policy.retired_employees
    assert section is not None
    b = BlockBuilder(lang)
    b.heading(3, section.purposes_title.get(lang))
    categories = policy.categories_in(CategoryScope.RETIRED_EMPLOYEE)
    _categories(b, categories, lang, titled=len(categories) > 1)
    b.heading(3, section.contact_title.get(lang))
    contact = policy.contact(section.contact)
    if contact is not None:
        b.lines(contact_lines(contact, lang))
    return Part("retired-employees", section.title.get(lang), tuple(b.blocks))
