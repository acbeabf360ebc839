"""The registry database: declarative base, engines, the unit of work and migrations."""
