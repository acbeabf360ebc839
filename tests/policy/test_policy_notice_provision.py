"""The notice's provision sections: the third-party heading, opt-out (Rule 11 items), joint use
(items, users and members, purposes, the responsible party and its representative, pseudonymized
information), the rights list and the My Number Act citations, in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kojin.policy import Policy, load_policy, parse_policy, render_notice
from kojin.policy.load import default_policy_text
from kojin.policy.model import ArrangementItem, JointUseArrangement, JointUser, ResponsibleParty
from kojin.policy.model_base import Address, Lang, Text

FIXTURE = Path(__file__).parent / "data" / "notice-provision.yaml"


@pytest.fixture(scope="module")
def default() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def provision() -> Policy:
    """The default policy with the fixture's opt-out and joint-use arrangements, through the
    loader (so the arrangements pass `policy check`)."""
    data: dict[str, Any] = yaml.safe_load(default_policy_text())
    extra: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["general"]["third_party_provision"].update(extra["third_party_provision"])
    data["general"]["joint_use"].update(extra["joint_use"])
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return parse_policy(text, source=str(FIXTURE))


def _section(text: str, anchor: str, end: str) -> str:
    start = text.index(f'<a id="{anchor}"></a>')
    return text[start : text.index(f'<a id="{end}"></a>', start)]


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("en", "### 2. Provision of Personal Information to Third Parties"),
        ("ja", "### 2. 個人情報の第三者提供について"),
    ],
)
def test_third_party_provision_heading(default: Policy, lang: Lang, heading: str) -> None:
    text = render_notice(default, lang=lang, fmt="markdown")
    assert f'<a id="third-party-provision"></a>\n\n{heading}\n' in text
    assert "Non-Provision" not in text
    assert "非提供" not in text


def test_no_opt_out_subsection_without_opt_out(default: Policy) -> None:
    for lang in ("en", "ja"):
        text = render_notice(default, lang=lang, fmt="markdown")
        assert 'id="opt-out"' not in text
        assert "オプトアウト" not in text


def test_opt_out_publishes_the_rule_11_items_in_english(provision: Policy) -> None:
    section = _section(
        render_notice(provision, lang="en", fmt="markdown"), "third-party-provision", "joint-use"
    )
    opt_out = section[section.index('<a id="opt-out"></a>') :]
    assert "#### Provision to Third Parties by Opt-Out\n" in opt_out
    assert (
        "NTT COMWARE provides the personal data below to third parties without the prior consent"
        in opt_out
    )
    expected = [
        "- Name and address of the operator providing the personal data to third parties, and "
        "the name of its representative: NTT COMWARE CORPORATION; NTT Shinagawa Twins Annex "
        "Building 1-9-1 Konan, Minato-ku, Tokyo; Representative: Masato Kuroiwa, President, "
        "Executive Officer",
        "- Provision to third parties as a purpose of use: Providing a directory of seminar "
        "participants to partner companies",
        "- Items of the personal data provided to third parties: name, company name, job title",
        "- How the personal data provided to third parties is acquired: Collected from the "
        "seminar registration form",
        "- Method of provision to third parties: Sent as an encrypted electronic file",
        "- Stopping provision at the person's request: NTT COMWARE stops the provision when the "
        "person asks it to",
        "- How the person's requests are received: Through the inquiry form or by post to the "
        "contact address below",
        "- How the personal data provided to third parties is updated: Updated after every seminar",
        "- Start date of provision to third parties: April 1, 2026",
        "- Notified to the Personal Information Protection Commission on: February 16, 2026",
    ]
    lines = [line for line in opt_out.splitlines() if line.startswith("- ")]
    assert lines == expected


def test_opt_out_publishes_the_rule_11_items_in_japanese(provision: Policy) -> None:
    section = _section(
        render_notice(provision, lang="ja", fmt="markdown"), "third-party-provision", "joint-use"
    )
    opt_out = section[section.index('<a id="opt-out"></a>') :]
    assert "#### オプトアウトによる第三者提供\n" in opt_out
    assert "個人情報の保護に関する法律第27条第2項" in opt_out
    lines = [line for line in opt_out.splitlines() if line.startswith("- ")]
    assert lines == [
        "- 第三者への提供を行う個人情報取扱事業者の氏名又は名称及び住所並びに法人にあっては、"
        "その代表者の氏名：エヌ・ティ・ティ・コムウェア株式会社、東京都港区港南1-9-1 "
        "NTT品川TWINSアネックスビル、代表者：代表取締役社長 社長執行役員 黒岩 真人",
        "- 第三者への提供を利用目的とすること：セミナー参加者名簿のビジネスパートナーへの提供",
        "- 第三者に提供される個人データの項目：氏名、会社名、役職",
        "- 第三者に提供される個人データの取得の方法：セミナー申込フォームにより取得",
        "- 第三者への提供の方法：暗号化した電子ファイルにより送付",
        "- 本人の求めに応じて当該本人が識別される個人データの第三者への提供を停止すること："
        "ご本人の求めに応じて提供を停止します",
        "- 本人の求めを受け付ける方法：お問い合わせフォーム又は下記窓口への郵送により受け付けます",
        "- 第三者に提供される個人データの更新の方法：セミナー開催ごとに更新します",
        "- 第三者への提供を開始する予定日：2026年4月1日",
        "- 個人情報保護委員会への届出日：2026年2月16日",
    ]


def test_opt_out_not_yet_filed_has_no_filing_date(provision: Policy) -> None:
    tpp = provision.general.third_party_provision
    assert tpp.opt_out is not None
    unfiled = tpp.model_copy(
        update={
            "opt_out": tpp.opt_out.model_copy(update={"filed_on": None}),
            "opt_out_filed": False,
        }
    )
    policy = provision.model_copy(
        update={"general": provision.general.model_copy(update={"third_party_provision": unfiled})}
    )
    en = render_notice(policy, lang="en", fmt="markdown")
    ja = render_notice(policy, lang="ja", fmt="markdown")
    assert "Start date of provision to third parties: April 1, 2026" in en
    assert "Personal Information Protection Commission on" not in en
    assert "第三者への提供を開始する予定日：2026年4月1日" in ja
    assert "届出日" not in ja


def test_opt_out_subsection_in_html(provision: Policy) -> None:
    page = render_notice(provision, lang="ja", fmt="html")
    assert '<h4 id="opt-out">オプトアウトによる第三者提供</h4>' in page
    assert "<li>第三者に提供される個人データの項目：氏名、会社名、役職</li>" in page


def test_joint_use_arrangements_in_english(provision: Policy) -> None:
    section = _section(
        render_notice(provision, lang="en", fmt="markdown"), "joint-use", "entrustment"
    )
    assert "#### Joint use currently published" in section
    first, second = section.split("Under this joint use, ")[1:]
    assert first.startswith(
        "personal information and pseudonymized information created from it are jointly used."
    )
    assert (
        "- Items of personal information that will be jointly used: name, purchase history\n"
        in (first)
    )
    assert (
        "- Scope of the parties jointly using the personal information: NTT COMWARE's "
        "consolidated subsidiaries (joint users: NTT COMWARE EAST CORPORATION, NTT COMWARE WEST "
        "CORPORATION)\n" in first
    )
    assert (
        "- Purposes of use: To develop, operate, maintain and improve different services and "
        "products; To conduct customer satisfaction surveys and market surveys\n" in first
    )
    assert (
        "if it is a corporation: NTT COMWARE CORPORATION; 1-9-1 Konan, Minato-ku, Tokyo "
        "108-8019; Representative: Masato Kuroiwa, President\n" in first
    )
    assert second.startswith(
        "only personal information is jointly used; pseudonymized information is not."
    )
    assert "(joint users: Shinagawa Building Management KK)" in second
    # a responsible individual (not a corporation) has no representative to publish
    assert second.rstrip().endswith(
        "if it is a corporation: Hanako Sato; 1-9-1 Konan, Minato-ku, Tokyo"
    )


def test_joint_use_arrangements_in_japanese(provision: Policy) -> None:
    section = _section(
        render_notice(provision, lang="ja", fmt="markdown"), "joint-use", "entrustment"
    )
    assert "#### 現在公表している共同利用" in section
    first, second = section.split("この共同利用では、")[1:]
    assert first.startswith("個人情報及びそれから作成した仮名加工情報を共同して利用します。")
    assert "- 共同して利用される個人情報の項目：氏名、購買履歴\n" in first
    assert (
        "- 共同して利用する者の範囲：当社の連結子会社（共同利用者："
        "エヌ・ティ・ティ・コムウェア東日本株式会社、"
        "エヌ・ティ・ティ・コムウェア西日本株式会社）\n" in first
    )
    assert (
        "- 利用する者の利用目的：各種サービス及び製品の開発、運用、保守及び改善のため／"
        "顧客満足度調査及び市場調査の実施のため\n" in first
    )
    assert (
        "その代表者の氏名：エヌ・ティ・ティ・コムウェア株式会社、〒108-8019 東京都港区港南1-9-1、"
        "代表者：代表取締役社長 黒岩 真人\n" in first
    )
    assert second.startswith("個人情報のみを共同して利用し、仮名加工情報は共同して利用しません。")
    assert "（共同利用者：品川ビル管理株式会社）" in second
    assert second.rstrip().endswith("その代表者の氏名：佐藤 花子、東京都港区港南1-9-1")


def test_an_incomplete_arrangement_is_not_published(provision: Policy) -> None:
    """A corporation's arrangement without its representative's name is not joint use
    (R-TP-NT-3(a)): the notice leaves it out (``policy check`` reports it)."""
    incomplete = JointUseArrangement(
        id="incomplete",
        categories=["customer"],
        items=[ArrangementItem(id="email", text=Text(en="e-mail address", ja="メールアドレス"))],
        users=Text(en="affiliates", ja="関連会社"),
        members=[JointUser(id="affiliate", name=Text(en="Affiliate KK", ja="関連株式会社"))],
        purposes=["provide_services"],
        responsible_party=ResponsibleParty(
            name=Text(en="Affiliate KK", ja="関連株式会社"),
            address=Address(text=Text(en="Osaka", ja="大阪府")),
        ),
    )
    assert incomplete.missing
    joint = provision.general.joint_use.model_copy(update={"arrangements": [incomplete]})
    policy = provision.model_copy(
        update={"general": provision.general.model_copy(update={"joint_use": joint})}
    )
    for lang in ("en", "ja"):
        text = render_notice(policy, lang=lang, fmt="markdown")
        assert 'id="joint-use-arrangements"' not in text
        assert "Affiliate KK" not in text
        assert "関連株式会社" not in text


@pytest.mark.parametrize(
    ("lang", "right"),
    [
        ("en", "that the records of its provision to third parties be disclosed to them"),
        ("ja", "利用目的の通知、開示、第三者提供記録の開示、内容の訂正・追加・削除"),
    ],
)
def test_rights_include_third_party_record_disclosure(
    default: Policy, lang: Lang, right: str
) -> None:
    """APPI Art. 33(5) (R-RT-4), in the basic policy's list of rights."""
    text = render_notice(default, lang=lang, fmt="markdown")
    basic = _section(text, "basic-policy", "general")
    assert right in basic


@pytest.mark.parametrize(
    ("lang", "current", "old"),
    [
        ("en", "paragraph (2) of Article 30 of the Act on the Use of Numbers", "Article 29"),
        ("ja", "番号の利用等に関する法律第30条第2項の規定により読み替えて", "第29条"),
    ],
)
def test_my_number_act_is_cited_by_its_current_numbering(
    default: Policy, lang: Lang, current: str, old: str
) -> None:
    """MNA Art. 30(2), as the engine cites it (R-MN-1); the old Art. 29(3) is gone."""
    text = render_notice(default, lang=lang, fmt="markdown")
    my_number = text[text.index('<a id="specific-personal"></a>') :]
    assert current in my_number
    assert old not in my_number


def test_a_fee_for_third_party_record_disclosure_is_published(default: Policy) -> None:
    """The inquiry procedure names the request in both languages when a fee is set (R-RT-9)."""
    from kojin.policy.model import Fee
    from kojin.policy.model_base import RequestType

    inquiries = default.general.inquiries
    fees = [
        *inquiries.fees,
        Fee(request_type=RequestType.THIRD_PARTY_RECORD_DISCLOSURE, amount_yen=800),
    ]
    policy = default.model_copy(
        update={
            "general": default.general.model_copy(
                update={"inquiries": inquiries.model_copy(update={"fees": fees})}
            )
        }
    )
    en = _section(
        render_notice(policy, lang="en", fmt="markdown"), "inquiries", "specific-personal"
    )
    assert (
        "1,000 yen, including consumption tax, incurred for the disclosure of information; "
        "800 yen, including consumption tax, incurred for the disclosure of third-party provision "
        "records" in en
    )
    ja = _section(
        render_notice(policy, lang="ja", fmt="markdown"), "inquiries", "specific-personal"
    )
    assert (
        "情報の開示の場合1,000円（消費税込み）、第三者提供記録の開示の場合800円（消費税込み）" in ja
    )
