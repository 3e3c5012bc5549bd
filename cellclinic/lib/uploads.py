"""Checks an uploaded medical record by its content, not its name.

Accepted: PDF, JPEG and PNG. The first bytes must carry the format's signature, the
extension must agree with it, images must decode, and a PDF must end with its trailer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from PIL import Image, UnidentifiedImageError

KINDS = {
    "pdf": ("application/pdf", (".pdf",), b"%PDF-"),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    "png": ("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    content_type: str
    size: int
    sha256: str


class UploadRejected(Exception):
    """Why a file was refused; `code` picks the message shown to the family."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_upload(name: str, stream: IO[bytes], size: int, max_bytes: int) -> CheckedUpload:
    if size > max_bytes:
        raise UploadRejected("too_large")
    if size == 0:
        raise UploadRejected("empty")
    stream.seek(0)
    head = stream.read(16)
    kind = next((k for k, (_t, _e, magic) in KINDS.items() if head.startswith(magic)), None)
    if kind is None:
        raise UploadRejected("type")
    content_type, extensions, _magic = KINDS[kind]
    if not name.lower().endswith(extensions):
        raise UploadRejected("extension")
    stream.seek(0)
    if kind == "pdf":
        stream.seek(max(size - 2048, 0))
        if b"%%EOF" not in stream.read():
            raise UploadRejected("damaged")
    else:
        try:
            with Image.open(stream) as image:
                image.verify()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            OSError,
            SyntaxError,
            ValueError,
        ):
            raise UploadRejected("damaged") from None
    stream.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(65536), b""):
        digest.update(block)
    stream.seek(0)
    return CheckedUpload(kind=kind, content_type=content_type, size=size, sha256=digest.hexdigest())
