"""What a breach report and an individual notice must contain (Rule 8(1), Rule 10; MN-Rules 3, 5;
R-BR-4, R-BR-6).

The preliminary report gives the nine items as far as they are known; the final report gives
all nine (the Commission's web form asks for them in this order). The notice to an affected
person gives items 1, 2, 4, 5 and 9 (Rule 10), in words the person understands.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class ReportItem(StrEnum):
    """The nine items of a report to the Personal Information Protection Commission."""

    #: (1) overview: occurrence and discovery dates, what happened, the discoverer, the Rule 7
    #: categories, the entruster or entrustee involved, the timeline
    OVERVIEW = "overview"
    #: (2) the data items, their medium and kind (customers, employees)
    DATA_ITEMS = "data_items"
    #: (3) the number of persons
    PERSONS = "persons"
    #: (4) the cause, and who caused it
    CAUSE = "cause"
    #: (5) secondary damage, or the risk of it
    SECONDARY_DAMAGE = "secondary_damage"
    #: (6) the response to the people, notice included
    RESPONSE_TO_PERSONS = "response_to_persons"
    #: (7) publication
    PUBLICATION = "publication"
    #: (8) measures against recurrence, done and planned
    RECURRENCE_PREVENTION = "recurrence_prevention"
    #: (9) other matters for reference
    OTHER = "other"


#: the items in the report's order, with their labels in English and Japanese (Rule 8(1)(i)-(ix))
REPORT_ITEMS: Final[tuple[tuple[ReportItem, str, str], ...]] = (
    (ReportItem.OVERVIEW, "Overview of the situation", "概要"),
    (
        ReportItem.DATA_ITEMS,
        "Items of the personal data involved",
        "漏えい等が発生し、又は発生したおそれがある個人データの項目",
    ),
    (
        ReportItem.PERSONS,
        "Number of persons",
        "漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
    ),
    (ReportItem.CAUSE, "Cause", "原因"),
    (
        ReportItem.SECONDARY_DAMAGE,
        "Secondary damage or the risk of it",
        "二次被害又はそのおそれの有無及びその内容",
    ),
    (ReportItem.RESPONSE_TO_PERSONS, "Response to the persons", "本人への対応の実施状況"),
    (ReportItem.PUBLICATION, "Publication", "公表の実施状況"),
    (ReportItem.RECURRENCE_PREVENTION, "Measures against recurrence", "再発防止のための措置"),
    (ReportItem.OTHER, "Other matters for reference", "その他参考となる事項"),
)

#: the items an individual notice gives (Rule 10; MN-Rules 5)
NOTICE_ITEMS: Final[tuple[ReportItem, ...]] = (
    ReportItem.OVERVIEW,
    ReportItem.DATA_ITEMS,
    ReportItem.CAUSE,
    ReportItem.SECONDARY_DAMAGE,
    ReportItem.OTHER,
)

#: the item's number in the report (1 to 9)
ITEM_NUMBER: Final[dict[ReportItem, int]] = {
    item: number for number, (item, _, _) in enumerate(REPORT_ITEMS, start=1)
}
