"""De-identified datasets: pseudonymized and anonymized information created by kojin.deid."""

from kojin.registry.datasets.schemas import DatasetCreate, DatasetForm, DatasetOut
from kojin.registry.datasets.service import (
    get_dataset,
    list_datasets,
    mark_provided,
    record_dataset,
)

__all__ = [
    "DatasetCreate",
    "DatasetForm",
    "DatasetOut",
    "get_dataset",
    "list_datasets",
    "mark_provided",
    "record_dataset",
]
