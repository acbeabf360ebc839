"""Rate limits for sign-in and code requests: in memory, or in Redis shared by all workers."""
