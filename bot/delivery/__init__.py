"""Outbound work: the delivery ledger, reminders, broadcasts, the rate limiter and the clock."""
