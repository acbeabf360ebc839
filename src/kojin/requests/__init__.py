"""Data-subject requests (APPI Arts. 32-40): intake, verification, the staff workflow, clocks."""
