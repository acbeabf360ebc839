"""The number guard: no valid individual number (My Number) where it does not belong.

A pytest plugin (:mod:`number_guard.plugin`, loaded by ``tests/conftest.py``) fails any test in
which a log record, an HTTP response or a CLI output shows a valid 12-digit individual number,
except the vault's authorized responses (``Kojin-Contains-My-Number: authorized``).

Tests that run kojin in a subprocess hand its captured output to the guard::

    from number_guard import guard_completed, guard_output

    done = guard_completed(subprocess.run([...], capture_output=True, text=True))
    guard_output("kojin serve", log_file.read_text())
"""

from number_guard.commands import guard_completed, guard_output

__all__ = ["guard_completed", "guard_output"]
