"""The review domain: committees, sessions, ballots, documents — rules and decisions, no I/O."""
