"""Internal audits (JIS Q 15001; R-PM-5, R-PM-7): a plan, a checklist of the controls that apply
to the company's policy (one per ``R-…`` id of the legal specification), evidence counted from
kojin's own records, results, findings and corrective actions with owners, due dates and
follow-up, and the report to top management."""
