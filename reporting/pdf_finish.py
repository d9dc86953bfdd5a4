"""Finish the PDF WeasyPrint wrote: pagination artifacts, PDF/A and PDF/UA metadata.

:mod:`reporting.pdf` renders two files: the tagged report and an untagged "stamp" with
one page per report page holding only the running header and the footer. This module
(pikepdf only, no WeasyPrint) copies each stamp page's drawing onto its report page
inside an ``/Artifact`` marked-content sequence of type Pagination, so that the page
numbers are embedded-font text that assistive technology skips and no structure
element has to reach. It then writes the document information and a complete XMP packet
(PDF/A identification, ``pdfuaid:part`` and the PDF/A extension schema that declares
the ``pdfuaid`` namespace) from one :class:`Metadata`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

# Operators whose name operand is a key of the current resource dictionary, and where
# that operand is (-1: the last one).
_RESOURCE_OPERANDS = {
    "Tf": ("/Font", 0),
    "gs": ("/ExtGState", 0),
    "Do": ("/XObject", 0),
    "sh": ("/Shading", 0),
    "cs": ("/ColorSpace", 0),
    "CS": ("/ColorSpace", 0),
    "scn": ("/Pattern", -1),
    "SCN": ("/Pattern", -1),
    "BDC": ("/Properties", 1),
}
_ARTIFACT_START = b"Q\nq\n/Artifact <</Type /Pagination>> BDC\n"
_ARTIFACT_END = b"\nEMC\nQ\n"
# Characters XML 1.0 forbids; they cannot appear in the XMP packet.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Metadata:
    """What the document information and the XMP packet say."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str
    producer: str
    pdfa_part: int
    pdfa_conformance: str


def finish(report: bytes, stamp: bytes, metadata: Metadata) -> bytes:
    """Return ``report`` with ``stamp`` drawn on it as pagination artifacts and metadata set."""
    with Pdf.open(BytesIO(report)) as pdf, Pdf.open(BytesIO(stamp)) as stamp_pdf:
        _require_header_scopes(pdf)
        _stamp_pages(pdf, stamp_pdf)
        _write_metadata(pdf, metadata)
        output = BytesIO()
        pdf.save(
            output,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            fix_metadata_version=False,
            deterministic_id=True,
        )
    return output.getvalue()


def _require_header_scopes(pdf: Pdf) -> None:
    for element in structure_elements(pdf):
        if element.get("/S") != "/TH":
            continue
        attributes = element.get("/A")
        dictionaries = attributes if isinstance(attributes, Array) else [attributes]
        if not any(isinstance(d, Dictionary) and "/Scope" in d for d in dictionaries):
            raise RuntimeError("a TH structure element has no /Scope: WeasyPrint's tagging changed")


def structure_elements(pdf: Pdf) -> Iterator[Dictionary]:
    """Every structure element reachable from the structure tree root, each once."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    seen: set[tuple[int, int]] = set()
    pending = [root.get("/K")]
    while pending:
        kid = pending.pop()
        if isinstance(kid, Array):
            pending.extend(reversed(list(kid)))
            continue
        if not isinstance(kid, Dictionary) or kid.get("/Type") in ("/MCR", "/OBJR"):
            continue
        if kid.is_indirect:
            if kid.objgen in seen:
                continue
            seen.add(kid.objgen)
        if "/S" in kid:
            yield kid
            pending.append(kid.get("/K"))


def _stamp_pages(pdf: Pdf, stamp_pdf: Pdf) -> None:
    if len(pdf.pages) != len(stamp_pdf.pages):
        raise RuntimeError("the stamp and the report differ in page count")
    copier = _ResourceCopier(pdf, stamp_pdf)
    opening = pdf.make_stream(b"q\n")
    for page, stamp_page in zip(pdf.pages, stamp_pdf.pages, strict=True):
        drawing, used = copier.drawing_of(stamp_page)
        closing = pdf.make_stream(_ARTIFACT_START + drawing + _ARTIFACT_END)
        contents = page.obj.get("/Contents")
        if isinstance(contents, Array):
            existing = list(contents)
        else:
            existing = [contents] if contents is not None else []
        page.obj.Contents = Array([opening, *existing, closing])
        resources = page.obj.get("/Resources")
        if not isinstance(resources, Dictionary):
            resources = page.obj.Resources = Dictionary()
        for category, name, value in used:
            if category not in resources:
                resources[category] = Dictionary()
            resources[category][name] = value


class _ResourceCopier:
    """Copies what stamp pages draw with into the report, each resource once."""

    def __init__(self, pdf: Pdf, stamp_pdf: Pdf) -> None:
        self.pdf = pdf
        self.stamp_pdf = stamp_pdf
        self.copied: dict[tuple[str, str], tuple[Name, pikepdf.Object]] = {}
        self.taken_tags = {subset_tag(font) for font in fonts_in(pdf)}

    def drawing_of(
        self, stamp_page: pikepdf.Page
    ) -> tuple[bytes, list[tuple[str, Name, pikepdf.Object]]]:
        """The page's content stream with resource names renamed, and those resources."""
        stamp_resources = stamp_page.resources
        used: list[tuple[str, Name, pikepdf.Object]] = []
        instructions: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
        for instruction in pikepdf.parse_content_stream(stamp_page):
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                instructions.append(instruction)
                continue
            operator = instruction.operator
            operands = list(instruction.operands)
            category, position = _RESOURCE_OPERANDS.get(str(operator), ("", 0))
            name = operands[position] if -len(operands) <= position < len(operands) else None
            resources = stamp_resources.get(category) if category else None
            if isinstance(name, Name) and isinstance(resources, Dictionary) and name in resources:
                new_name, value = self._copy(category, name, resources[name])
                operands[position] = new_name
                used.append((category, new_name, value))
            instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
        return pikepdf.unparse_content_stream(instructions), used

    def _copy(
        self, category: str, name: Name, value: pikepdf.Object
    ) -> tuple[Name, pikepdf.Object]:
        key = (category, str(name))
        if key not in self.copied:
            if not value.is_indirect:
                value = self.stamp_pdf.make_indirect(value)
            copy = self.pdf.copy_foreign(value)
            if category == "/Font":
                retag_font(copy, self.taken_tags)
            # The report's own resource names never start with "Artifact".
            self.copied[key] = Name("/Artifact" + str(name).lstrip("/")), copy
        return self.copied[key]


def retag_font(font: pikepdf.Object, taken: set[str]) -> None:
    """Give a copied font subset a tag of its own (PDF 32000-1, 9.6.4).

    WeasyPrint derives the tag from the font's description, not from the glyphs, so the
    stamp's subset of DejaVu Sans carries the same name as the report's, with other
    glyphs: one file may not hold two different subsets under one name.
    """
    old = subset_tag(font)
    counter = 0
    while True:
        seed = hashlib.sha256(f"{old}:{counter}".encode()).digest()
        tag = "".join(chr(65 + byte % 26) for byte in seed[:6])
        if tag not in taken:
            break
        counter += 1
    taken.add(tag)
    for named in _font_parts(font):
        for field in ("/BaseFont", "/FontName"):
            if field in named:
                _, plus, base = str(named[field]).lstrip("/").partition("+")
                if plus:
                    named[field] = Name(f"/{tag}+{base}")


def _font_parts(font: pikepdf.Object) -> Iterator[pikepdf.Object]:
    yield font
    for descendant in font.get("/DescendantFonts", Array()):
        yield descendant
        if "/FontDescriptor" in descendant:
            yield descendant.FontDescriptor
    if "/FontDescriptor" in font:
        yield font.FontDescriptor


def subset_tag(font: pikepdf.Object) -> str:
    tag, plus, _ = str(font.get("/BaseFont", "")).lstrip("/").partition("+")
    return tag if plus else ""


def fonts_in(pdf: Pdf) -> Iterator[pikepdf.Object]:
    """Every font the pages use, including those of nested Form XObjects, each once."""
    seen: set[tuple[int, int]] = set()
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        for font in resources.get("/Font", Dictionary()).values():
            if not font.is_indirect or font.objgen not in seen:
                if font.is_indirect:
                    seen.add(font.objgen)
                yield font
        for xobject in resources.get("/XObject", Dictionary()).values():
            if xobject.get("/Subtype") == "/Form" and (
                not xobject.is_indirect or xobject.objgen not in seen
            ):
                if xobject.is_indirect:
                    seen.add(xobject.objgen)
                pending.append(xobject.get("/Resources"))


def _write_metadata(pdf: Pdf, metadata: Metadata) -> None:
    info = Dictionary(Title=String(metadata.title), Producer=String(metadata.producer))
    if metadata.author:
        info.Author = String(metadata.author)
    if metadata.subject:
        info.Subject = String(metadata.subject)
    if metadata.keywords:
        info.Keywords = String(_keywords(metadata))
    pdf.trailer.Info = pdf.make_indirect(info)
    pdf.Root.Metadata = pdf.make_stream(xmp_packet(metadata), Type=Name.Metadata, Subtype=Name.XML)
    pdf.Root.Lang = String(metadata.language)
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    preferences = pdf.Root.get("/ViewerPreferences", Dictionary())
    preferences.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = preferences


def _keywords(metadata: Metadata) -> str:
    return ", ".join(metadata.keywords)


def xmp_packet(metadata: Metadata) -> bytes:
    """The whole XMP packet: Dublin Core, PDF, PDF/A and PDF/UA properties in one place."""

    def text(value: str) -> str:
        return escape(_NOT_XML.sub("", value))

    properties = [
        "<dc:format>application/pdf</dc:format>",
        "<dc:title><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{text(metadata.title)}</rdf:li>'
        "</rdf:Alt></dc:title>",
        f"<dc:language><rdf:Bag><rdf:li>{text(metadata.language)}</rdf:li></rdf:Bag></dc:language>",
        f"<pdf:Producer>{text(metadata.producer)}</pdf:Producer>",
        f"<pdfaid:part>{metadata.pdfa_part}</pdfaid:part>",
        f"<pdfaid:conformance>{text(metadata.pdfa_conformance)}</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
    ]
    if metadata.author:
        properties.append(
            f"<dc:creator><rdf:Seq><rdf:li>{text(metadata.author)}</rdf:li></rdf:Seq></dc:creator>"
        )
    if metadata.subject:
        properties.append(
            "<dc:description><rdf:Alt>"
            f'<rdf:li xml:lang="x-default">{text(metadata.subject)}</rdf:li>'
            "</rdf:Alt></dc:description>"
        )
    if metadata.keywords:
        properties.append(f"<pdf:Keywords>{text(_keywords(metadata))}</pdf:Keywords>")
    body = "\n   ".join(properties)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   {body}
  </rdf:Description>
  <rdf:Description rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")
