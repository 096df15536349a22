"""Attachments on disk: PDF, JPEG or PNG by their first bytes, at most 20 MB, kept under their SHA-256.

Files are only ever served back as downloads with the type found here, never executed or rendered
as HTML; the stored name is the hash, so a client's file name never reaches the file system.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from zhicheng_kernel.errors import DomainError, InvalidInput

MAX_BYTES = 20 * 1024 * 1024
CHUNK = 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def too_large() -> DomainError:
    return DomainError(
        "attachment_too_large", "附件不能超过 20 MB。", field="file", status=413, extra={"max_bytes": MAX_BYTES}
    )


def media_type_of(head: bytes) -> str | None:
    return next((media for magic, media in SIGNATURES if head.startswith(magic)), None)


def path_of(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def store(root: Path, source: BinaryIO) -> tuple[str, str, int]:
    """Copy the upload into the store; (sha256, media type, size). Refuses other types and > 20 MB."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = source.read(16)
    media = media_type_of(head)
    if media is None:
        raise InvalidInput(
            "attachment_type_not_allowed", "附件只能是 PDF、JPEG 或 PNG 文件（按文件内容判断）。", field="file"
        )
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > MAX_BYTES:
                    raise too_large()
                digest.update(chunk)
                out.write(chunk)
                chunk = source.read(CHUNK)
        sha = digest.hexdigest()
        final = path_of(root, sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        os.chmod(final, 0o440)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, media, size
