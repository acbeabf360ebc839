"""The `R-…` requirement ids of APPI-SPEC.md that kojin's decisions may cite.

A test compares this table with the ids the specification defines, so a decision never cites an
id that does not exist.
"""

from __future__ import annotations

KNOWN_RULE_IDS: frozenset[str] = frozenset(
    {
        # §2 purpose and acquisition
        "R-PUR-1", "R-PUR-2", "R-PUR-3", "R-PUR-4", "R-PUR-5",
        "R-ACQ-1", "R-ACQ-2", "R-ACQ-3", "R-ACQ-4", "R-ACQ-5", "R-ACQ-6",
        # §0 channels (consent)
        "R-CH-6",
        # §3 security and entrustees
        "R-SEC-1", "R-SEC-2", "R-SEC-3", "R-SEC-4",
        # §4 breach reporting
        "R-BR-0", "R-BR-1", "R-BR-2", "R-BR-3", "R-BR-4", "R-BR-5", "R-BR-6", "R-BR-7",
        "R-BR-8", "R-BR-MN-1",
        # §5 third-party provision
        "R-TP-1", "R-TP-OO-1", "R-TP-OO-2", "R-TP-OO-3", "R-TP-NT-1", "R-TP-NT-2", "R-TP-NT-3",
        "R-TP-FX-1", "R-TP-FX-2", "R-TP-FX-3",
        "R-TP-REC-1", "R-TP-REC-2", "R-TP-REC-3", "R-TP-REC-4",
        # §6 person-related information
        "R-DEF-8", "R-PRI-1", "R-PRI-2", "R-PRI-3",
        # §7 rights (stop requests)
        "R-RT-6",
        # §8 pseudonymized, §9 anonymized
        "R-PS-1", "R-PS-2", "R-PS-3", "R-PS-4",
        "R-AN-1", "R-AN-2", "R-AN-3", "R-AN-4", "R-AN-5", "R-AN-6",
        # §10 My Number Act
        "R-MN-1", "R-MN-2", "R-MN-3", "R-MN-4", "R-MN-5", "R-MN-6", "R-MN-7", "R-MN-8",
    }
)  # fmt: skip
