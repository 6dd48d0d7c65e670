"""The practice's history from git: running git, the audit trail in words, and snapshots as of a date."""
