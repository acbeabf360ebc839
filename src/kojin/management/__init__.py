"""The personal-information protection management system (JIS Q 15001; R-PM-1..11).

Above the registry and the request, vault and incident domains, whose records it reads as
evidence: ``risks`` (risk assessment per ledger row), ``training`` (who was trained on what,
and who is due for the yearly round), ``audits`` (internal audits: a checklist of controls
drawn from the legal specification, evidence from kojin's own records, findings and corrective
actions), ``review`` (the management review report) and ``task_reminders`` (e-mail about
obligation tasks that are overdue or coming due).
"""
