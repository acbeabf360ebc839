"""Spark sessions for kojin's data jobs.

:func:`spark_session` connects to the master a user names (``--spark-master``, the
``KOJIN_SPARK_MASTER`` setting, else ``local[N]`` with one thread per processor) and stops the
session it started when the job ends. A session already active on the same master (a test's, a
notebook's) is used as it is and left running.

On a master on this machine (``local[...]``, ``local-cluster[...]``, ``spark://127.0.0.1:...``)
the driver binds to the loopback, executors run this Python (so that kojin is importable in
them) and files they write are private to their owner. On a remote cluster those are the
cluster's own settings: kojin must be installed in the Python the executors run
(``PYSPARK_PYTHON``), and ``spark-defaults.conf`` (``SPARK_CONF_DIR``) carries anything else.

The web UI and the console progress bar are off; Spark logs errors only.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kojin.errors import ConfigurationError, InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_LOCAL = re.compile(r"^local(\[(\*|\d+)(,\d+)?\])?$")
_LOCAL_CLUSTER = re.compile(r"^local-cluster\[\d+,\s*\d+,\s*\d+\]$")
_STANDALONE = re.compile(r"^spark://([^/:]+|\[[^\]]+\])(:\d+)?(,([^/:]+)(:\d+)?)*$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_OTHER_MASTERS = ("yarn", "k8s://", "mesos://")


def default_master() -> str:
    """``local[N]``: Spark inside this process, one thread per processor."""
    return f"local[{os.cpu_count() or 1}]"


def check_master(master: str) -> str:
    """The master URL, stripped; an URL Spark would not accept is an :class:`InputError`."""
    value = master.strip()
    if (
        _LOCAL.match(value)
        or _LOCAL_CLUSTER.match(value)
        or _STANDALONE.match(value)
        or value.startswith(_OTHER_MASTERS)
    ):
        return value
    raise InputError(
        "--spark-master must be a Spark master URL: local[N], local-cluster[W,C,M], "
        "spark://HOST:PORT, yarn or k8s://...",
        field="spark_master",
    )


def on_this_machine(master: str) -> bool:
    """Whether the master and its executors run on this machine."""
    if _LOCAL.match(master) or _LOCAL_CLUSTER.match(master):
        return True
    found = _STANDALONE.match(master)
    return found is not None and found.group(1) in _LOOPBACK_HOSTS and "," not in master


def _check_runtime() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            "the Spark engine needs pyspark: pip install 'kojin[spark]' (and Java 17 or later)"
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ConfigurationError(
            "the Spark engine needs a Java runtime (17 or later): java on PATH or JAVA_HOME"
        )


def _log_config() -> str:
    """The log4j2 file that keeps Spark's own logging to errors."""
    from importlib.resources import files

    return str(files("kojin.spark").joinpath("log4j2.properties"))


@contextmanager
def spark_session(
    master: str | None = None, *, app: str = "kojin", conf: Mapping[str, str] | None = None
) -> Iterator[SparkSession]:
    """A session on `master` (default :func:`default_master`) for the length of a job; `conf`
    adds Spark settings (``spark.driver.memory``, ``spark.executor.memory``...)."""
    url = check_master(master) if master else default_master()
    _check_runtime()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master == url:
        yield active
        return
    if active is not None:
        active.stop()
    logging = f"-Dlog4j2.configurationFile={_log_config()}"
    builder = (
        SparkSession.builder.master(url)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        # CSV files in Shift_JIS (windows-31j) and EUC-JP: Spark 4 reads only Unicode charsets
        # unless Java's are allowed
        .config("spark.sql.legacy.javaCharsets", "true")
        # name=value folders are text, like every column kojin reads
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.driver.extraJavaOptions", logging)
    )
    if on_this_machine(url):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        if os.environ.get("PYTHONPATH"):  # executors start in folders of their own
            os.environ["PYTHONPATH"] = os.pathsep.join(
                str(Path(part).resolve())
                for part in os.environ["PYTHONPATH"].split(os.pathsep)
                if part
            )
        # executors started here inherit it: what they write is their owner's alone
        os.umask(0o077)
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config(
                "spark.executor.extraJavaOptions", f"-Dlog4j2.configurationFile={_log_config()}"
            )
        )
    for name, value in (conf or {}).items():
        builder = builder.config(name, value)
    if _LOCAL.match(url) and "spark.sql.shuffle.partitions" not in (conf or {}):
        threads = os.cpu_count() or 1
        builder = builder.config("spark.sql.shuffle.partitions", str(max(2 * threads, 2)))
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start or the master refused the application
        raise ConfigurationError(
            f"Spark could not start a session on {url} ({exc.__class__.__name__}): check "
            "the master URL, Java and the cluster's logs"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
