"""Discovery: finding personal information in text, files and databases (R-PM-1).

Detectors are data (``builtin_detectors.yaml``, extensible by YAML); one RE2 pass finds
candidates, validators and context words decide; findings carry masked values only.
"""

from kojin.discovery.columns import ColumnClass, ColumnClassifier, KindCount
from kojin.discovery.detector_catalogue import DetectorRegistry, builtin_registry, load_registry
from kojin.discovery.ledger_check import DeclaredLocation, UndeclaredFinding, undeclared
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import (
    Category,
    CellLocation,
    DetectorFile,
    DetectorSpec,
    Finding,
    MaskStyle,
    Match,
    PatternSpec,
    TextLocation,
    Validator,
)
from kojin.discovery.service import Scanner, ScanSummary, build_scanner, scan

__all__ = [
    "Category",
    "CellLocation",
    "ColumnClass",
    "ColumnClassifier",
    "DeclaredLocation",
    "DetectorFile",
    "DetectorRegistry",
    "DetectorSpec",
    "Finding",
    "KindCount",
    "MaskStyle",
    "Match",
    "PatternSpec",
    "Re2Matcher",
    "ScanSummary",
    "Scanner",
    "TextLocation",
    "UndeclaredFinding",
    "Validator",
    "build_scanner",
    "builtin_registry",
    "load_registry",
    "scan",
    "undeclared",
]
