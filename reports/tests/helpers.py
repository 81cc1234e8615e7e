import functools
import io

from pypdf import PdfReader


@functools.lru_cache(maxsize=8)
def pdf_pages(pdf: bytes) -> tuple[str, ...]:
    """Each page's text; reading a pack's text takes most of a second, so tests share it."""
    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))
