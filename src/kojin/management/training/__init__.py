"""Training records (JIS Q 15001; R-PM-4): the roster of workers, the courses, who completed
which course when, and who is overdue for the yearly round."""
