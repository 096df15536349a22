"""The application domain: aggregates, commands, events and rules — no I/O here."""
