"""A candidate's photo: what may be stored, and how it is recognised when served (the tablet's briefing card).

Only JPEG and PNG, told by their first bytes (never by the name or the type the browser claims), and small
enough to reach a tablet at the door on a weak link.
"""

from __future__ import annotations

MAX_BYTES = 2 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def content_type_of(head: bytes) -> str | None:
    """The photo's type from its first bytes; None when it is neither JPEG nor PNG."""
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def photo_problem(upload) -> str | None:
    """Why `upload` cannot be kept as a photo, in words the person uploading can act on; None when it can."""
    if upload.size > MAX_BYTES:
        return f"The photo is {upload.size // 1024} KB: at most {MAX_BYTES // 1024} KB. Send a smaller one."
    position = upload.tell()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    if content_type_of(head) is None:
        return "Only a JPEG or PNG photo can be kept: this file is neither."
    return None
