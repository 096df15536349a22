"""The video-conference port of the online defenses (POL-VD-1): a provider issues a meeting room per
defense. `LocalVideoRooms` issues links under the configured base URL (ZC_VIDEO_ROOM_BASE_URL); a
real conferencing service (Tencent Meeting, a city's own platform) plugs in by implementing
`VideoRooms` and being built in app.create_app instead."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Room:
    provider: str
    room_id: str
    join_url: str


class VideoRooms(Protocol):
    async def create_room(self, title: str, starts_at: datetime, ends_at: datetime) -> Room:
        """A room open from `starts_at` to `ends_at`, named `title` for the participants."""
        ...


class LocalVideoRooms:
    """Rooms whose links live under `base_url` ("…/video/rooms/<room id>"): enough for a city that runs
    its own meeting page, and for tests and demonstrations."""

    provider = "local"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    async def create_room(self, title: str, starts_at: datetime, ends_at: datetime) -> Room:
        room_id = secrets.token_hex(8)
        return Room(provider=self.provider, room_id=room_id, join_url=f"{self.base_url}{room_id}")
