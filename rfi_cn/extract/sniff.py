"""What a body is, whatever its Content-Type says: binary formats by their magic bytes."""

from __future__ import annotations

# Leading bytes of formats a server may label text/html by mistake (WHATWG MIME sniffing).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"BM", "BMP"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"OggS", "Ogg"),
    (b"ID3", "MP3"),
    (b"\x1aE\xdf\xa3", "WebM"),
    (b"wOFF", "WOFF"),
    (b"wOF2", "WOFF2"),
)


def binary_kind(body: bytes) -> str | None:
    """The binary format ``body`` starts as (``"PDF"``, ``"PNG"``, …), or ``None`` for text.

    Leading whitespace is skipped, as browsers do; RIFF containers (WebP, WAV, AVI)
    and ISO media (MP4) are named by their brand.
    """
    head = body[:64].lstrip(b" \t\r\n")
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith(b"RIFF") and len(head) >= 12:
        return f"RIFF {head[8:12].decode('latin-1').strip()}"
    if head[4:8] == b"ftyp":
        return "MP4"
    return None
