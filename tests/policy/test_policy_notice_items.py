"""The items of recorded anonymized datasets in the notice: as recorded in English, with Japanese
labels and treatments in Japanese (R-AN-3, R-AN-4)."""

from __future__ import annotations

from datetime import date

import pytest

from kojin.deid.results import ItemTreatment, Treatment
from kojin.policy import AnonymizedDatasetNotice, Policy, load_policy, render_notice
from kojin.policy.model_base import Text
from kojin.policy.notice_items import COLUMN_LABELS, dataset_item, normalise, policy_labels


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


#: one item of every kind a de-identification run writes, as kojin.deid describes it
RECORDED = [
    (
        ItemTreatment("age", Treatment.GENERALIZED, 2, 4, "0-19, 20-39, 40-59"),
        "年齢（一般化：レベル2／4。例：0-19, 20-39, 40-59）",
    ),
    (ItemTreatment("sex", Treatment.GENERALIZED, 0, 1), "性別（一般化：レベル0／1）"),
    (ItemTreatment("marital-status", Treatment.SENSITIVE), "婚姻状況（記録されたとおり）"),
    (ItemTreatment("occupation", Treatment.KEPT), "職業（加工なし）"),
    (ItemTreatment("name", Treatment.TOKENIZED), "氏名（鍵付きの仮名に置換）"),
    (
        ItemTreatment("income", Treatment.CODED, detail="categories under 5 records merged"),
        "収入（まれな値及び極端な値を丸め：5件未満の区分を統合）",
    ),
    (
        ItemTreatment("birth_year", Treatment.CODED, detail="top/bottom coded"),
        "生年（まれな値及び極端な値を丸め：上限・下限を設けて丸め）",
    ),
    (ItemTreatment("visits", Treatment.KEPT), "visits（加工なし）"),
]


@pytest.mark.parametrize(("treatment", "japanese"), RECORDED)
def test_every_recorded_item_kind_reads_in_japanese(
    treatment: ItemTreatment, japanese: str
) -> None:
    recorded = treatment.describe()
    assert dataset_item(recorded, "en", {}) == recorded
    assert dataset_item(recorded, "ja", {}) == japanese


def test_every_treatment_is_covered() -> None:
    published = {t for t in Treatment if t is not Treatment.DELETED}
    assert {item.treatment for item, _ in RECORDED} == published


def test_the_policy_labels_come_first() -> None:
    labels = policy_labels(
        [Text(en="Visits", ja="来院回数"), Text(en="marital status", ja="配偶関係")]
    )
    assert dataset_item("visits (kept)", "ja", labels) == "来院回数（加工なし）"
    assert (
        dataset_item("marital-status (as recorded)", "ja", labels) == "配偶関係（記録されたとおり）"
    )
    assert dataset_item("Age_Band", "ja", labels) == "年齢層"  # an item without a treatment
    assert dataset_item("age band (5 years)", "ja", labels) == "age band (5 years)"  # unknown


def test_labels_are_keyed_by_normalised_names() -> None:
    assert normalise(" Marital-Status ") == normalise("marital status") == "marital_status"
    assert all(key == normalise(key) for key in COLUMN_LABELS)


ADULT = AnonymizedDatasetNotice(
    name="Survey extract 2026",
    items=[
        ItemTreatment("sex", Treatment.GENERALIZED, 1, 1, "*").describe(),
        ItemTreatment("age", Treatment.GENERALIZED, 2, 4, "0-19, 20-39, 40-59").describe(),
        ItemTreatment("salary-class", Treatment.SENSITIVE).describe(),
    ],
    created_on=date(2026, 11, 1),
    provided=True,
    provision_method="CSV by SFTP",
)


def test_japanese_notice_publishes_japanese_dataset_items(policy: Policy) -> None:
    ja = render_notice(policy, lang="ja", fmt="markdown", anonymized_datasets=[ADULT])
    assert (
        "- Survey extract 2026（作成日：2026年11月1日）項目：性別（一般化：レベル1／1。例：*）、"
        "年齢（一般化：レベル2／4。例：0-19, 20-39, 40-59）、年収区分（記録されたとおり）。"
        "第三者への提供方法：CSV by SFTP。\n" in ja
    )
    en = render_notice(policy, lang="en", fmt="markdown", anonymized_datasets=[ADULT])
    assert (
        "- Survey extract 2026 (created on November 1, 2026). Items: sex (generalized, level 1 of "
        "1: *), age (generalized, level 2 of 4: 0-19, 20-39, 40-59), salary-class (as recorded). "
        "Provided to third parties by: CSV by SFTP.\n" in en
    )


def test_the_policy_created_items_label_dataset_columns(policy: Policy) -> None:
    assert policy.general.anonymized is not None
    anonymized = policy.general.anonymized.model_copy(
        update={"created_items": [Text(en="salary-class", ja="給与階級")]}
    )
    labelled = policy.model_copy(
        update={"general": policy.general.model_copy(update={"anonymized": anonymized})}
    )
    ja = render_notice(labelled, lang="ja", fmt="markdown", anonymized_datasets=[ADULT])
    assert "給与階級（記録されたとおり）" in ja
    assert "年収区分" not in ja
