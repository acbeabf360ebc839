"""Tests of the people's pages (``/portal``). A package, so that its ``conftest`` and helper
modules do not clash with those of ``tests/web`` (whose ``web_support`` they import)."""
