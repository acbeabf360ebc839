"""Is the identity verification on receipt complete (MNA Art. 16; R-MN-4)?

:func:`check_verification` is the vault's one call site for the law layer's
:func:`kojin.law.mynumber_rules.verification_problems`: it turns the unmet requirements into
an input error on the document types, each with its rule and citation.
"""

from __future__ import annotations

from collections.abc import Collection

from kojin.errors import InputError
from kojin.law.mynumber_rules import verification_problems
from kojin.law.mynumber_vocabulary import IdentityDocument as Doc
from kojin.law.mynumber_vocabulary import VerificationRoute as Route


def check_verification(route: Route, documents: Collection[Doc]) -> None:
    """InputError (field ``document_types``) naming each unmet requirement, with its rule and
    citation, unless the identity verification is complete."""
    problems = verification_problems(route, documents)
    if problems:
        raise InputError(
            "the identity verification on receipt is incomplete: "
            + " ".join(f"{rule.en} ({rule.id}, {rule.citation})" for rule in problems),
            field="document_types",
        )
