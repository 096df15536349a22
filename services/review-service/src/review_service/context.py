"""What every use case of review-service receives: the kernel's context plus the Temporal gateway."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.errors import not_found
from zhicheng_kernel.temporal import TemporalGateway

from .adapters.video import LocalVideoRooms, VideoRooms
from .domain.committee import Committee
from .domain.session import Session
from .settings import ReviewSettings

if TYPE_CHECKING:
    from .adapters.ballot_seal import BallotSeal
    from .adapters.certificate_signer import CertificateSigner


@dataclass
class ReviewContext(ServiceContext):
    settings: ReviewSettings
    temporal: TemporalGateway
    # NAT-10: signs the certificates' PDFs with the issuing office's key (built at start by app.py).
    certificate_signer: CertificateSigner | None = None
    # POL-VD-1's video provider; None: LocalVideoRooms under settings.video_room_base_url.
    video: VideoRooms | None = None
    # NAT-2: seals ballots at cast time and opens them at the tally (issue 12; built at start by app.py).
    ballot_seal: BallotSeal | None = None

    async def committee(self, conn: AsyncConnection, committee_id: str) -> Committee:
        """The committee rebuilt from its stream (in the caller's transaction)."""
        committee = Committee.from_events(await self.store.load(conn, committee_id))
        if committee is None:
            raise not_found("评审委员会", "committee_not_found", committee_id)
        return committee

    async def session(self, conn: AsyncConnection, session_id: str) -> Session:
        """The session rebuilt from its stream (in the caller's transaction), with the number of ballots
        its private ballot box holds (NAT-2, adapters.ballot_box)."""
        from .adapters import ballot_box

        session = Session.from_events(await self.store.load(conn, session_id))
        if session is None:
            raise not_found("评审会议", "session_not_found", session_id)
        session.held = await ballot_box.held(conn, session_id)
        return session

    @property
    def video_rooms(self) -> VideoRooms:
        """The provider that issues the online defenses' rooms (adapters.video)."""
        return self.video or LocalVideoRooms(self.settings.video_room_base_url)

    @property
    def ballots(self) -> BallotSeal:
        """The ballot seal (NAT-2); a context built without one (a test's) gets a key of its own."""
        if self.ballot_seal is None:
            from .adapters.ballot_seal import BallotSeal

            self.ballot_seal = BallotSeal.ephemeral()
        return self.ballot_seal
