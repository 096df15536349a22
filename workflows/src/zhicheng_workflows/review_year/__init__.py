"""The review year (SCHED-3): warnings before 31 December, overdue sessions, the city office's answers, the report."""
