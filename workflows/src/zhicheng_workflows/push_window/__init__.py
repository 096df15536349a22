"""The push window of a series in a year (SCHED-1): reminders before it closes, and its close."""
