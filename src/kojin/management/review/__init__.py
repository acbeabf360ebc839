"""The management review (JIS Q 15001; R-PM-8): a report for the top manager on a period, with
the inputs the standard names gathered from kojin's records (requests, incidents, audits,
obligation tasks, entrustees, risks, training), the changes in law and improvement
opportunities, and the top manager's decisions recorded on it."""
