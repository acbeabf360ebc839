"""kojin: a company's personal-information handling policy, run as software.

Japan's APPI, the My Number Act and JIS Q 15001 turned into checks, records and documents.
"""

__version__ = "0.1.0"
