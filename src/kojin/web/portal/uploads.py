"""Files posted with a portal form: read within the size limit, checked by their bytes.

The request services check every upload again (:func:`kojin.requests.documents.check_upload`);
the pages check first, each file on its own, so that a refusal is shown on the field of the
file it is about (identity or authority document). A refused file is never stored, and its
name is never shown back: the page asks the person to choose a file again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import UploadFile

from kojin.requests.documents import UploadRefused, check_upload
from kojin.requests.kinds import DocumentPurpose
from kojin.requests.schemas import UploadIn

if TYPE_CHECKING:
    from starlette.datastructures import FormData


@dataclass(frozen=True, slots=True)
class Posted:
    """One file as the browser posted it (at most one byte past the limit is read)."""

    filename: str
    declared_type: str | None
    data: bytes

    def upload_in(self, purpose: str) -> UploadIn:
        return UploadIn(
            purpose=DocumentPurpose(purpose),
            filename=self.filename,
            declared_type=self.declared_type,
            data=self.data,
        )


async def posted_file(form: FormData, name: str, max_bytes: int) -> Posted | None:
    """The file posted as `name`, or None when the field was left empty."""
    value = form.get(name)
    if not isinstance(value, UploadFile):
        return None
    data = await value.read(max_bytes + 1)
    filename = value.filename or ""
    if not filename and not data:
        return None  # a file field left empty posts an empty part without a name
    return Posted(filename=filename, declared_type=value.content_type, data=data)


def refusal(posted: Posted, max_bytes: int) -> str | None:
    """Why the file would be refused (an :class:`UploadRefused` reason), or None."""
    try:
        check_upload(
            filename=posted.filename,
            declared_type=posted.declared_type,
            data=posted.data,
            max_bytes=max_bytes,
        )
    except UploadRefused as refused:
        return str(refused.reason)
    return None
