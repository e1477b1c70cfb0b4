"""Report branding (`--brand-name`, `--brand-logo`, `--client-name`, `--prepared-by`).

Kept apart from `AuditOptions`: branding changes how a report looks, never what the
audit does. The logo is read once, checked by its magic bytes and size, and inlined as
a `data:` URI, so the HTML stays self-contained and the PDF renderer fetches nothing.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from audit.model.errors import InputError

DEFAULT_BRAND = "mailhygiene"
MAX_LOGO_BYTES = 1_000_000


@dataclass(frozen=True)
class ReportBranding:
    brand_name: str = DEFAULT_BRAND
    logo_data_uri: str | None = None
    client_name: str | None = None
    prepared_by: str | None = None


def _logo_media_type(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = content[:2048].lstrip().lower()
    if (head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in head) or head.startswith(
        b"<!doctype svg"
    ):
        return "image/svg+xml"
    return None


def load_logo(path: Path) -> str:
    """The logo file as a data: URI; unreadable, too large or not PNG/JPEG/SVG -> InputError."""
    try:
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise InputError(
                f"--brand-logo {path}: {size} bytes, larger than {MAX_LOGO_BYTES} bytes"
            )
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read --brand-logo {path}: {exc.strerror or exc}") from None
    media_type = _logo_media_type(content)
    if media_type is None:
        raise InputError(f"--brand-logo {path}: not a PNG, JPEG or SVG image")
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def _clean(text: str | None) -> str | None:
    stripped = " ".join((text or "").split())
    return stripped or None


def build_branding(
    brand_name: str | None = None,
    brand_logo: str | Path | None = None,
    client_name: str | None = None,
    prepared_by: str | None = None,
) -> ReportBranding:
    """Validated branding from option values (None: not given)."""
    return ReportBranding(
        brand_name=_clean(brand_name) or DEFAULT_BRAND,
        logo_data_uri=load_logo(Path(brand_logo)) if brand_logo else None,
        client_name=_clean(client_name),
        prepared_by=_clean(prepared_by),
    )
