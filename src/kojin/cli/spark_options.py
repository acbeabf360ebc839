"""The options that send a data job to Spark, shared by ``anonymize``, ``pseudonymize`` and
``scan``."""

from __future__ import annotations

from typing import Annotated

import typer

SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="With --engine spark: the master URL (spark://HOST:7077, yarn, k8s://..., "
        "local[N]); default: KOJIN_SPARK_MASTER, else local[N] with one thread per processor.",
    ),
]


def spark_master(option: str | None) -> str | None:
    """The master named by the option, else by the ``KOJIN_SPARK_MASTER`` setting, else None
    (:func:`kojin.spark.session.default_master`)."""
    if option:
        return option
    from kojin.settings import get_settings

    return get_settings().spark_master
