"""De-identification loads the heavy libraries only when a run needs them (the start-up rule)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deid_data import ADULT_DIR, ADULT_QIS

from kojin.deid.results import AnonymizationResult, PseudonymizationResult
from kojin.law.vocabulary import Form


def _modules_after(code: str) -> set[str]:
    """The top-level packages loaded by ``code`` in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(done.stdout.splitlines()[-1].split())  # the last line: after any command output


def test_service_choices_and_results_import_no_data_library() -> None:
    loaded = _modules_after(
        "import kojin.deid.service, kojin.deid.choices, kojin.deid.results, kojin.deid.engines"
    )
    assert not loaded & {"numpy", "pyarrow", "duckdb", "pyspark", "sqlalchemy", "kojin.law"}


def test_result_forms_are_the_laws_forms() -> None:
    """Results carry the form as a string (no law import); it must stay the law's value."""
    assert Form(AnonymizationResult.form) is Form.ANONYMIZED
    assert Form(PseudonymizationResult.form) is Form.PSEUDONYMIZED


def test_anonymize_on_the_memory_engine_loads_no_other_engine(tmp_path: Path) -> None:
    args = [str(ADULT_DIR / "adult_subset.csv"), "--k", "5", "--output", str(tmp_path / "o.csv")]
    for column in ADULT_QIS:
        args += ["--qi", f"{column}={ADULT_DIR / f'adult_hierarchy_{column}.csv'}"]
    loaded = _modules_after(
        "import sys\nfrom kojin.cli import main\n"
        f"sys.argv = ['kojin', 'anonymize', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code"
    )
    assert (tmp_path / "o.csv").exists()
    assert "numpy" in loaded
    assert not loaded & {"duckdb", "pyspark", "pyarrow.compute", "pyarrow.parquet"}
