"""The register of entrustees (APPI Art. 25, R-SEC-4; MNA Art. 11, R-MN-8) and of foreign
recipients with equivalent measures (APPI Art. 28(3), Rule 18, R-TP-FX-3): what is entrusted
or provided, the contract, the selection evaluation, sub-entrustment and the periodic checks.
Decisions read it to say when a recipient is not registered or its check is overdue.
"""
