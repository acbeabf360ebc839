"""The web pages: the portal where people make requests (/portal) and the staff pages (/admin)."""
