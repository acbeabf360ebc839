"""The My Number vault: individual numbers kept apart from the registry, shown only to their
designated handlers for their affairs, and disposed of irrecoverably on time (My Number Act;
APPI-SPEC section 10, R-MN-1..10).

Numbers live in their own tables (optionally in their own database), each under its own data
key wrapped by a vault key that only this package holds; disposal destroys the data key.
"""
