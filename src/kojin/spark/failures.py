"""Spark's failures as kojin's errors, without Spark's message.

A failed Spark job raises an exception whose text may quote a record of the input (a malformed
CSV line, a value a function was given). :func:`spark_failures` turns any exception of PySpark or
Py4J into an :class:`~kojin.errors.InputError` that names the input and the kind of failure only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kojin.errors import InputError


def is_spark_failure(exc: BaseException) -> bool:
    """Whether `exc` comes from PySpark or Py4J (the JVM, the cluster, a Python worker)."""
    return any(
        kind.__module__.split(".", 1)[0] in ("pyspark", "py4j") for kind in type(exc).__mro__
    )


@contextmanager
def spark_failures(label: str) -> Iterator[None]:
    """Run a Spark job on the input named `label`; a Spark failure becomes an InputError."""
    try:
        yield
    except Exception as exc:
        if not is_spark_failure(exc):
            raise
        raise InputError(
            f"the Spark job on {label} failed ({type(exc).__name__}): check that every input "
            "file is well-formed with its header row and encoding, and the cluster's logs",
            field="input",
        ) from None
