"""The sample company's people and their rows, generated deterministically and streamed.

Person 0 is the target of the requests (山田 花子); persons 1 and 2 are near misses who must stay
untouched (a namesake with the same name and an e-mail differing only in its domain; a family
member at the same address); everyone else is ordinary. Every generator yields ``(owner, row)``:
the index of the person the row is about, and the row as a tuple in the table's column order,
so a builder can stream millions of rows into a store and still know which rows are the
target's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

FAMILY = [
    ("山田", "ヤマダ", "yamada"),
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
]
GIVEN = [
    ("花子", "ハナコ", "hanako"),
    ("太郎", "タロウ", "taro"),
    ("陽菜", "ヒナ", "hina"),
    ("蓮", "レン", "ren"),
    ("結衣", "ユイ", "yui"),
    ("大翔", "ヒロト", "hiroto"),
    ("美咲", "ミサキ", "misaki"),
    ("翔太", "ショウタ", "shota"),
    ("さくら", "サクラ", "sakura"),
    ("健太", "ケンタ", "kenta"),
    ("葵", "アオイ", "aoi"),
    ("悠真", "ユウマ", "yuma"),
    ("陽葵", "ヒマリ", "himari"),
]
PLACES = [
    ("100-0001", "東京都千代田区千代田1-1"),
    ("530-0001", "大阪府大阪市北区梅田3-1-1"),
    ("460-0008", "愛知県名古屋市中区栄3-4-5"),
    ("060-0001", "北海道札幌市中央区北一条西2-1"),
    ("812-0011", "福岡県福岡市博多区博多駅前2-1-1"),
    ("980-0021", "宮城県仙台市青葉区中央1-2-3"),
    ("730-0011", "広島県広島市中区基町6-78"),
    ("900-0015", "沖縄県那覇市久茂地1-1-1"),
]
PRODUCTS = ["緑茶 100g", "抹茶 30g", "湯呑み", "急須", "羊羹", "煎餅 詰め合わせ", "手ぬぐい"]
EVENTS = ["login", "view_item", "purchase", "newsletter_open"]
SUPPORT_EMAIL = "support@shop.example.jp"
TARGET = 0


@dataclass(frozen=True)
class Person:
    index: int
    customer_number: str
    email: str
    name: str
    name_kana: str
    phone: str
    postal_code: str
    address: str


@lru_cache(maxsize=64)
def person(i: int) -> Person:
    """Person `i` (0 is the target); cached, as each table's rows go person by person."""
    if i == TARGET:
        return Person(
            0,
            "C00000001",
            "hanako.yamada@example.jp",
            "山田 花子",
            "ヤマダ ハナコ",
            "090-1234-5678",
            "100-0001",
            "東京都千代田区千代田1-1",
        )
    family = FAMILY[i % len(FAMILY)]
    given = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
    postal, address = PLACES[i % len(PLACES)]
    email = f"{given[2]}.{family[2]}{i}@example.com"
    if i == 1:  # a namesake: same name, e-mail differing only in the domain
        family, given, email = FAMILY[0], GIVEN[0], "hanako.yamada@example.com"
        postal, address = PLACES[1]
    elif i == 2:  # a family member at the target's address
        family, given, email = FAMILY[0], GIVEN[1], "taro.yamada@example.jp"
        postal, address = PLACES[0]
    return Person(
        i,
        f"C{i + 1:08d}",
        email,
        f"{family[0]} {given[0]}",
        f"{family[1]} {given[1]}",
        f"080-{(i // 10000) % 10000:04d}-{i % 10000:04d}",
        postal,
        address,
    )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _stamp(day: date, i: int) -> datetime:
    return datetime.combine(day, time(9 + i % 9, (i * 7) % 60, (i * 13) % 60))


def order_dates(i: int, today: date) -> list[date]:
    """When person `i` ordered: the target 9 years ago (past the 7-year hold), 3 years ago and
    20 days ago (both within it); others 0 to 3 orders over the last ten years."""
    if i == TARGET:
        return [
            years_before(today, 9) - timedelta(days=10),
            years_before(today, 3),
            today - timedelta(days=20),
        ]
    return [today - timedelta(days=(i * 37 + n * 101) % 3650 + 1) for n in range(i % 4)]


class Rows:
    """Row generators over `people` persons; ids are sequential, as a database assigns them."""

    def __init__(self, people: int, today: date) -> None:
        self.people = people
        self.today = today

    def customers(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i in range(self.people):
            p = person(i)
            created = _stamp(years_before(self.today, 10) + timedelta(days=i % 365), i)
            row = (i + 1, p.customer_number, p.email, p.name, p.name_kana, p.phone)
            yield i, (*row, p.postal_code, p.address, created)

    def _orders(self) -> Iterator[tuple[int, int, date]]:
        order_id = 0
        for i in range(self.people):
            for day in order_dates(i, self.today):
                order_id += 1
                yield i, order_id, day

    def orders(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i, order_id, day in self._orders():
            total = 1200 + (order_id * 379) % 9000
            yield i, (order_id, i + 1, day, total, person(i).address)

    def order_items(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        item_id = 0
        for i, order_id, _ in self._orders():
            for n in range(1 + order_id % 3):
                item_id += 1
                product = PRODUCTS[(order_id + n) % len(PRODUCTS)]
                yield i, (item_id, order_id, product, 1 + (item_id % 4))

    def payments(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i, order_id, day in self._orders():
            last4 = f"{(i * 7919 + order_id * 31) % 10000:04d}"
            yield i, (order_id, order_id, person(i).name, last4, day)

    def _tickets(self) -> Iterator[tuple[int, int, str]]:
        ticket_id = 0
        for i in range(self.people):
            if i == TARGET:
                emails = [person(i).email, "Hanako.Yamada@Example.JP"]
            else:
                emails = [person(i).email] if i % 3 == 0 else []
            for email in emails:
                ticket_id += 1
                yield i, ticket_id, email

    def tickets(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i, ticket_id, email in self._tickets():
            opened = _stamp(self.today - timedelta(days=(i * 11 + ticket_id) % 700 + 1), i)
            subject = ["配送について", "返品の相談", "領収書の再発行"][ticket_id % 3]
            body = "注文した商品についてお問い合わせします。"
            yield i, (ticket_id, email, subject, body, opened)

    def ticket_messages(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        message_id = 0
        for i, ticket_id, email in self._tickets():
            message_id += 1
            yield i, (message_id, ticket_id, email, "詳細を教えてください。")
            message_id += 1
            yield i, (message_id, ticket_id, SUPPORT_EMAIL, "お問い合わせありがとうございます。")
            if i == 3:  # the target wrote in a ticket of person 3 (a shared order)
                message_id += 1
                yield TARGET, (message_id, ticket_id, person(TARGET).email, "私からも補足します。")

    def newsletter_subscriptions(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i in range(0, self.people, 2):
            subscribed = _stamp(self.today - timedelta(days=(i * 3) % 1000 + 1), i)
            yield i, (person(i).email, subscribed)

    def contacts(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i in range(self.people):
            if i % 10 == 7:
                continue
            p = person(i)
            segment = ["regular", "premium", "dormant"][i % 3]
            yield i, (p.customer_number, p.email, p.name, p.phone, segment)

    def events(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        for i in range(self.people):
            number = person(i).customer_number
            for n in range(1 + (i + 2) % 3):
                at = _stamp(self.today - timedelta(days=n * 17 + i % 90 + 1), i + n)
                yield i, (number, EVENTS[(i + n) % len(EVENTS)], at)
