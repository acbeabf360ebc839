"""The roles a token carries."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who is acting: the API and pages decide what each role may do."""

    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    HANDLER = "handler"
    #: may handle specific personal information (My Number Act Art. 12 person in charge)
    MYNUMBER_HANDLER = "mynumber_handler"
    AUDITOR = "auditor"
    SYSTEM = "system"
