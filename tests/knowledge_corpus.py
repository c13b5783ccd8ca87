"""A small corpus the knowledge tests write themselves (text, Markdown, HTML, PDF)."""

from __future__ import annotations

from pathlib import Path

MOVING = """# Our move

## Lisbon
We moved to Lisbon in 2019, after two years in Porto.
The flat is near the river, on the third floor.

## Garden layout
The garden has three raised beds.
Tomatoes grow on the south side and the herbs sit by the kitchen door.
"""

ONBOARDING = """The onboarding guide was written by Maria Santos in March 2021.
It explains how new hires get a laptop and their accounts on the first day.
"""

TAXES = """<html><head><title>Taxes</title><style>p {color: red}</style></head>
<body><h1>Tax notes</h1>
<p>The tax refund of 420 euros arrived on the 3rd of June.</p>
<h2>Accountant</h2><p>Our accountant is called Jonas Berg.</p>
</body></html>
"""


def write_corpus(folder: Path) -> Path:
    """Write the notes folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "moving.md").write_text(MOVING)
    (folder / "onboarding.txt").write_text(ONBOARDING)
    (folder / "taxes.html").write_text(TAXES)
    write_pdf(
        folder / "boiler.pdf",
        [
            "The boiler was serviced by Hot Water Ltd in October.",
            "The next boiler service is due in October next year.",
        ],
    )
    return folder


def write_pdf(path: Path, pages: list[str]) -> None:
    """A minimal valid PDF with one line of Helvetica text per page."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for text in pages:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 11 Tf 40 700 Td ({escaped}) Tj ET".encode()
        objects.append(
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        )
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
