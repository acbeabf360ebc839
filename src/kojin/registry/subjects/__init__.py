"""Data subjects: identifiers encrypted at rest, found by blind index; stop-use/provision flags."""

from kojin.registry.subjects.schemas import (
    FlagsUpdate,
    SubjectCreate,
    SubjectIdentifiers,
    SubjectOut,
)
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import (
    create_subject,
    erase_identifiers,
    find_subject,
    get_subject,
    list_subjects,
    reencrypt_subjects,
    set_flags,
    update_identifiers,
)

__all__ = [
    "FlagsUpdate",
    "SubjectCreate",
    "SubjectIdentifiers",
    "SubjectOut",
    "SubjectScope",
    "create_subject",
    "erase_identifiers",
    "find_subject",
    "get_subject",
    "list_subjects",
    "reencrypt_subjects",
    "set_flags",
    "update_identifiers",
]
