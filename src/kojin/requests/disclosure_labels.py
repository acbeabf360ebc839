"""The fixed wording of a disclosure package, in English and Japanese: titles, column headings,
the names of stored codes (acquisition methods, media, consent methods, record kinds) and of
the kinds of personal data the data map marks on the fields of the company's stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from kojin.policy.model_base import Lang

Labels = Mapping[str, str]

TEXTS: Final[Mapping[Lang, Labels]] = {
    "ja": {
        "title": "保有個人データの開示",
        "intro": (
            "{organization}が保有するご本人に関する個人データを、個人情報の保護に関する法律"
            "第33条の規定に基づき、以下のとおり開示いたします。"
        ),
        "intro_third_party": (
            "あわせて、同条第5項の規定に基づき、ご本人に関する第三者提供記録を開示いたします。"
        ),
        "generated_at": "作成日時：",
        "subject": "ご本人の登録情報",
        "purposes": "利用目的",
        "ledger_entries": "保有している個人情報の項目",
        "consents": "同意の記録",
        "third_party_records": "第三者提供記録",
        "none": "該当する記録はありません。",
        "not_requested": "第三者提供記録の開示はご請求の対象に含まれていません。",
        "files_note": (
            "電子的記録による開示では、同じ内容を disclosure.json（機械可読形式）及び"
            "各表の CSV ファイル（UTF-8）でもお渡しします。"
        ),
        "yes": "はい",
        "no": "いいえ",
        "empty": "―",
        "stores": "当社の業務システムで保有しているご本人のデータ",
        "stores_intro": (
            "当社の業務システム（データベース及びファイル）をご本人に関するデータについて検索し、"
            "見つかったデータをシステムごと、表ごとに示します。"
        ),
        "stores_none": "当社の業務システムから、ご本人に関するデータは見つかりませんでした。",
        "store_table": "表：",
        "store_category": "区分：",
        "store_rows": "該当件数：{count}件",
        "store_file": "CSV ファイル：",
        "store_fields": "項目の説明",
        "store_field": "項目",
        "store_description": "説明",
        "store_kinds": "個人情報の種類",
        "files_note_stores": (
            "ご本人のデータが見つかった当社の業務システムの表は、stores フォルダにも表ごとの "
            "CSV ファイル（UTF-8）でお渡しします。"
        ),
    },
    "en": {
        "title": "Disclosure of retained personal data",
        "intro": (
            "Under Article 33 of the Act on the Protection of Personal Information, "
            "{organization} discloses below the retained personal data concerning you that it "
            "holds."
        ),
        "intro_third_party": (
            "Under paragraph (5) of that Article, it also discloses the records of provision "
            "to third parties concerning you."
        ),
        "generated_at": "Prepared on ",
        "subject": "Your entry in our registry",
        "purposes": "Purposes of use",
        "ledger_entries": "Personal information we hold",
        "consents": "Your consents",
        "third_party_records": "Records of provision to third parties",
        "none": "There are no such records.",
        "not_requested": "You did not ask for the records of provision to third parties.",
        "files_note": (
            "A disclosure as an electronic record also contains the same content as "
            "disclosure.json (machine-readable) and one CSV file (UTF-8) per table."
        ),
        "yes": "yes",
        "no": "no",
        "empty": "—",
        "stores": "Your data in our business systems",
        "stores_intro": (
            "We searched our business systems (databases and files) for data about you. What we "
            "found is shown below, system by system and table by table."
        ),
        "stores_none": "No data about you was found in our business systems.",
        "store_table": "Table: ",
        "store_category": "Category: ",
        "store_rows": "Records found: {count}",
        "store_file": "CSV file: ",
        "store_fields": "About the fields",
        "store_field": "Field",
        "store_description": "Description",
        "store_kinds": "Kind of personal data",
        "files_note_stores": (
            "The tables of our business systems in which data about you was found are also in "
            "the stores folder, one CSV file (UTF-8) per table."
        ),
    },
}

#: column headings, by section and field
COLUMNS: Final[Mapping[Lang, Mapping[str, Labels]]] = {
    "ja": {
        "subject": {"field": "項目", "value": "内容"},
        "subject_fields": {
            "id": "登録番号",
            "category": "区分",
            "registered_at": "登録日時",
            "stop_use": "利用停止",
            "stop_provision": "第三者提供の停止",
            "flags_updated_at": "停止の設定日時",
            "name": "氏名",
            "email": "電子メールアドレス",
            "customer_number": "お客様番号",
            "phone": "電話番号",
            "address": "住所",
        },
        "purposes": {"number": "番号", "text": "利用目的"},
        "ledger_entries": {
            "item": "個人情報の項目",
            "purpose_texts": "利用目的",
            "acquisition_method": "取得方法",
            "storage_country": "保管国",
            "medium": "媒体",
            "retention_period": "保管期間",
            "disposal_method": "廃棄方法",
            "special_care": "要配慮個人情報",
        },
        "consents": {
            "given_at": "同意日時",
            "category_title": "区分",
            "purpose_text": "利用目的",
            "recipient": "提供先",
            "country": "提供先の国",
            "method": "同意の方法",
            "by_representative": "法定代理人による同意",
            "notice_version": "提示した通知の版",
            "withdrawn_at": "撤回日時",
            "withdrawal_method": "撤回の方法",
        },
        "third_party_records": {
            "provided_at": "提供日時",
            "kind": "記録の種類",
            "recipient_name": "提供先",
            "recipient_country": "提供先の国",
            "category_title": "区分",
            "items": "提供した個人データの項目",
            "consent_confirmed": "本人の同意",
        },
    },
    "en": {
        "subject": {"field": "Field", "value": "Value"},
        "subject_fields": {
            "id": "Registry number",
            "category": "Category",
            "registered_at": "Registered on",
            "stop_use": "Use stopped",
            "stop_provision": "Provision to third parties stopped",
            "flags_updated_at": "Stop set on",
            "name": "Name",
            "email": "E-mail address",
            "customer_number": "Customer number",
            "phone": "Telephone number",
            "address": "Address",
        },
        "purposes": {"number": "No.", "text": "Purpose of use"},
        "ledger_entries": {
            "item": "Personal information",
            "purpose_texts": "Purposes of use",
            "acquisition_method": "How acquired",
            "storage_country": "Stored in",
            "medium": "Medium",
            "retention_period": "Kept for",
            "disposal_method": "Disposal",
            "special_care": "Special-care information",
        },
        "consents": {
            "given_at": "Given on",
            "category_title": "Category",
            "purpose_text": "Purpose of use",
            "recipient": "Recipient",
            "country": "Recipient's country",
            "method": "How given",
            "by_representative": "Given by a legal representative",
            "notice_version": "Version of the notice shown",
            "withdrawn_at": "Withdrawn on",
            "withdrawal_method": "How withdrawn",
        },
        "third_party_records": {
            "provided_at": "Provided on",
            "kind": "Kind of record",
            "recipient_name": "Recipient",
            "recipient_country": "Recipient's country",
            "category_title": "Category",
            "items": "Items of personal data provided",
            "consent_confirmed": "Your consent",
        },
    },
}

#: fields whose codes are named under another field's entry in :data:`CODES`
CODE_ALIASES: Final[Mapping[str, str]] = {"withdrawal_method": "method"}

#: names of stored codes, by field; a code without a name here is shown as stored
CODES: Final[Mapping[Lang, Mapping[str, Labels]]] = {
    "ja": {
        "acquisition_method": {
            "written_direct": "書面による本人からの直接取得",
            "direct_other": "書面以外による本人からの直接取得",
            "indirect": "本人以外からの取得",
            "public": "公開されている情報からの取得",
            "entrusted": "委託に伴う受領",
        },
        "medium": {"electronic": "電子媒体", "paper": "紙媒体", "both": "電子媒体及び紙媒体"},
        "method": {
            "written": "書面",
            "electronic_record": "電磁的記録",
            "email": "電子メール",
            "checkbox": "チェックボックス",
            "button": "ボタン",
            "oral": "口頭",
            "voice_or_touch": "音声又はタッチ操作",
        },
        "kind": {
            "third_party": "第三者提供（国内）",
            "foreign_third_party": "外国にある第三者への提供",
            "person_related": "個人関連情報の提供",
        },
    },
    "en": {
        "acquisition_method": {
            "written_direct": "in writing, directly from you",
            "direct_other": "directly from you, not in writing",
            "indirect": "from someone other than you",
            "public": "from published information",
            "entrusted": "received under an entrustment",
        },
        "medium": {"electronic": "electronic", "paper": "paper", "both": "electronic and paper"},
        "method": {
            "written": "in writing",
            "electronic_record": "electronic record",
            "email": "e-mail",
            "checkbox": "check box",
            "button": "button",
            "oral": "orally",
            "voice_or_touch": "voice or touch",
        },
        "kind": {
            "third_party": "provision to a third party in Japan",
            "foreign_third_party": "provision to a third party abroad",
            "person_related": "provision of person-related information",
        },
    },
}

#: names of the kinds of personal data (kojin.discovery's kinds) a store's field holds; a kind
#: without a name here is shown as the data map gives it
KINDS: Final[Mapping[Lang, Labels]] = {
    "ja": {
        "my_number": "個人番号（マイナンバー）",
        "corporate_number": "法人番号",
        "phone_number": "電話番号",
        "email": "電子メールアドレス",
        "postal_code": "郵便番号",
        "address": "住所",
        "date_of_birth": "生年月日",
        "credit_card": "クレジットカード番号",
        "passport_number": "旅券番号",
        "drivers_license": "運転免許証の番号",
        "basic_pension_number": "基礎年金番号",
        "health_insurance_number": "健康保険の被保険者等記号・番号",
        "bank_account": "銀行口座",
        "ip_address": "IPアドレス",
        "mac_address": "MACアドレス",
        "person_name": "氏名",
        "name_kana": "氏名（フリガナ）",
    },
    "en": {
        "my_number": "Individual Number (My Number)",
        "corporate_number": "Corporate Number",
        "phone_number": "telephone number",
        "email": "e-mail address",
        "postal_code": "postal code",
        "address": "address",
        "date_of_birth": "date of birth",
        "credit_card": "credit card number",
        "passport_number": "passport number",
        "drivers_license": "driver's licence number",
        "basic_pension_number": "Basic Pension Number",
        "health_insurance_number": "health insurance card number",
        "bank_account": "bank account",
        "ip_address": "IP address",
        "mac_address": "MAC address",
        "person_name": "name",
        "name_kana": "name in kana",
    },
}
