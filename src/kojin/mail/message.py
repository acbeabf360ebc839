"""One outgoing message: a single recipient, a subject and a plain-text body."""

from __future__ import annotations

from dataclasses import dataclass

from kojin.errors import InputError

#: the longest subject kojin sends (characters)
MAX_SUBJECT = 500
#: the longest address (RFC 5321: 254 octets in a path)
MAX_ADDRESS = 254


@dataclass(frozen=True, slots=True)
class MailMessage:
    """A plain-text e-mail to one address; any language (sent as UTF-8).

    Refused at construction (InputError naming the field, never the value): an address that is
    not one ``local@domain``, and a line break in the address or subject (header injection).
    """

    to: str
    subject: str
    text: str

    def __post_init__(self) -> None:
        local, at, domain = self.to.rpartition("@")
        if (
            not at
            or not local
            or not domain
            or len(self.to) > MAX_ADDRESS
            or any(c.isspace() or c in ',;<>"()' for c in self.to)
        ):
            raise InputError("the recipient must be one e-mail address", field="to")
        if "\r" in self.subject or "\n" in self.subject or len(self.subject) > MAX_SUBJECT:
            raise InputError(
                f"the subject must be one line of at most {MAX_SUBJECT} characters",
                field="subject",
            )
