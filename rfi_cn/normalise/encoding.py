"""Reading a page's bytes as text when its declared charset is wrong.

RFI writes UTF-8. A mirror, proxy or CMS slip can label a page ``ISO-8859-1``
(a single-byte charset that decodes any bytes, into mojibake) or label a
GB18030 page ``UTF-8`` (replacement characters). Strict decoding tells them
apart: bytes that are valid UTF-8 are UTF-8 whatever the label (non-ASCII
text in any other encoding is almost never valid UTF-8); otherwise the
declared charset, then GB18030, the superset of the Chinese legacy charsets.
"""

from __future__ import annotations


def page_text(body: bytes, declared: str | None) -> tuple[str, str]:
    """The text of ``body`` and the encoding that read it."""
    candidates = ["utf-8", declared or "utf-8", "gb18030"]
    for encoding in dict.fromkeys(candidates):
        try:
            return body.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace"), "utf-8"
