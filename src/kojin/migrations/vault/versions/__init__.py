"""Revisions of the My Number vault's schema."""
