"""review-service: committees, sessions, secret ballots, publicity, complaints, qualification documents."""

from .app import create_app

__all__ = ["create_app"]
