"""Field encryption (AES-GCM) and keyed blind indexes, with keys kept outside the database."""

from kojin.crypto.cipher import FieldCipher, blind_index_value
from kojin.crypto.keyring import Keyring, load_keyring

__all__ = ["FieldCipher", "Keyring", "blind_index_value", "load_keyring"]
