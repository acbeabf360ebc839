"""Running kojin's data jobs on Spark: sessions, reading and writing tables, row numbers.

Shared by de-identification (:mod:`kojin.deid.spark`) and discovery
(:mod:`kojin.discovery.spark_scan`), which do not import each other. PySpark is an optional extra
(``pip install kojin[spark]``) and is imported only when a job runs on Spark.
"""
