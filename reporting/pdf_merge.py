"""Join separately rendered tagged PDF parts into one tagged PDF, structure tree included.

:func:`reporting.pdf.assemble` renders a report's parts one by one (each cached) and
joins them here before it stamps the page numbers and finishes the file. This module
uses pikepdf only, no WeasyPrint. Plain page copying would keep the pages and the
bookmarks but drop the structure tree, so the joined file would no longer be tagged.

What the caller provides
    The parts in reading order, each as ``(key, pdf_bytes)``: ``key`` is unique among
    the parts and made of letters, digits, ``-`` and ``_``; the bytes are a tagged PDF as
    WeasyPrint 70 writes it (a ``StructTreeRoot`` whose ``/K`` is one Document element,
    a ``ParentTree``, ``/StructParents`` on pages and ``/StructParent`` on annotations,
    named destinations in ``/Names /Dests``, bookmarks in ``/Outlines``). A link into
    another part is a URI link to ``link_prefix + key`` or ``link_prefix + key +
    "#" + fragment`` (the address :func:`reporting.pdf.part_link` writes).

What this module guarantees
    - The pages of every part, in order, each with its own resources.
    - One new Document element as the root of the structure tree; each part's Document
      element becomes a ``/Part`` element under it, in order (a part whose root holds
      several elements gets them wrapped in a new Part). A part whose language differs
      from the first part's says so with ``/Lang`` on its Part.
    - ``ParentTree`` keys shifted by the number of keys the parts before used, with each
      page's ``/StructParents``, each annotation's ``/StructParent`` and each Form
      XObject's ``/StructParents`` shifted the same way, so every marked-content
      sequence and annotation reaches its structure element. ``ParentTreeNextKey`` is set.
    - RoleMap and ClassMap merged (ValueError when two parts map one name differently).
    - Structure element IDs prefixed with ``key:`` (and the ``/Headers`` of table cells
      with them), listed in an IDTree when there are any: WeasyPrint builds IDs from
      object numbers, so they collide between parts.
    - Font subset tags renamed so that no two different font programs share a subset
      name: WeasyPrint derives the tag from the font, not from the glyphs, so every
      part carries the same name for different subsets (PDF 32000-1, 9.6.4).
    - Bookmarks of the parts concatenated in order, pointing at the joined pages.
    - Named destinations renamed ``key:name`` (so parts cannot collide), with the
      part's own links and bookmarks that use them.
    - Each link to ``link_prefix + key`` becomes a GoTo to the part's named destination
      ``key:fragment`` if the fragment exists in that part, else to the part's first
      page; the annotation, its ``/StructParent`` and its Link element stay, and its
      ``/Contents`` (WeasyPrint writes the address there) becomes the fragment or the
      key. A link to a key not among the parts raises ValueError naming the key. Other
      URI links are left alone.
    - MarkInfo, Lang, ViewerPreferences, OutputIntents, the XMP metadata and the
      document information once, from the first part (:mod:`reporting.pdf_finish`
      rewrites the title and the XMP packet afterwards).

    Not carried over: forms, embedded files, page labels, article threads, optional
    content and other name trees than ``/Dests``; WeasyPrint writes none of them for a
    report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, Pdf, String

# Walking the structure tree and renaming font subsets are pdf_finish's rules too.
from reporting.pdf_finish import fonts_in, retag_font, structure_elements, subset_tag

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# Separates a part's key from a destination name or an ID; keys never contain it.
SEPARATOR = ":"


@dataclass(frozen=True)
class MergedPdf:
    """The joined file and the number of pages each part contributed, in order."""

    data: bytes
    pages: tuple[int, ...]


def merge(parts: Sequence[tuple[str, bytes]], link_prefix: str) -> MergedPdf:
    """Join the tagged ``parts`` in order, with their structure trees, bookmarks and links."""
    keys = [key for key, _ in parts]
    if not parts:
        raise ValueError("there are no parts to join")
    for key in keys:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"a part key is letters, digits, '-' and '_', not {key!r}")
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"part keys occur more than once: {', '.join(duplicates)}")
    with ExitStack() as stack:
        # A copied stream's data is read from its part when the joined file is written.
        joiner = _Joiner(Pdf.new())
        for key, data in parts:
            joiner.add(key, stack.enter_context(Pdf.open(BytesIO(data))))
        joiner.link_parts(link_prefix)
        return MergedPdf(data=joiner.finish(), pages=tuple(joiner.page_counts))


@dataclass
class _Joiner:
    out: Pdf
    next_key: int = 0
    first: Pdf | None = None
    language: str = ""
    page_counts: list[int] = field(default_factory=list)
    first_pages: dict[str, Dictionary] = field(default_factory=dict)
    page_parts: list[str] = field(default_factory=list)
    parent_tree: dict[int, pikepdf.Object] = field(default_factory=dict)
    role_map: dict[str, pikepdf.Object] = field(default_factory=dict)
    class_map: dict[str, pikepdf.Object] = field(default_factory=dict)
    ids: dict[str, pikepdf.Object] = field(default_factory=dict)
    destinations: dict[str, pikepdf.Object] = field(default_factory=dict)
    outline_items: list[pikepdf.Object] = field(default_factory=list)
    font_tags: set[str] = field(default_factory=set)
    document: Dictionary = field(init=False)

    def __post_init__(self) -> None:
        self.document = self.out.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, K=Array())
        )

    def add(self, key: str, part: Pdf) -> None:
        """Copy the pages of ``part`` and everything that refers to them."""
        tree = part.Root.get("/StructTreeRoot")
        if not isinstance(tree, Dictionary):
            raise ValueError(f"part {key!r} is not tagged: it has no structure tree")
        prefix = key + SEPARATOR
        offset = self.next_key
        self.next_key = offset + self._shift_struct_parents(part, offset) + 1
        entries = list(NumberTree(tree.ParentTree).items()) if "/ParentTree" in tree else []
        self.next_key = max(self.next_key, offset + max((n for n, _ in entries), default=-1) + 1)
        elements = list(structure_elements(part))
        _prefix_ids(elements, prefix)
        for page in part.pages:
            for annotation in page.obj.get("/Annots", Array()):
                _prefix_destination(annotation, prefix)
        tops = _detach_top_elements(tree)
        outline_items = _detach_outline_items(part, prefix)
        destinations = _named_destinations(part, prefix)
        self._retag_fonts(part)
        class_map = tree.get("/ClassMap")
        classes = dict(class_map.items()) if isinstance(class_map, Dictionary) else {}

        start = len(self.out.pages)
        for page in part.pages:
            self.out.pages.append(page)
        self.page_counts.append(len(self.out.pages) - start)
        if self.page_counts[-1]:
            self.first_pages[key] = self.out.pages[start].obj
        self.page_parts += [key] * self.page_counts[-1]

        document_level = self._document_level(part) if self.first is None else []
        if self.first is None:
            self.first, self.language = part, str(part.Root.get("/Lang", ""))
        values = [value for _, value in entries]
        copies = self._copy(
            part,
            [
                tops,
                values,
                outline_items,
                list(destinations.values()),
                list(classes.values()),
                document_level,
            ],
        )
        self._add_part_element(copies[0], part)
        for (number, _), value in zip(entries, copies[1], strict=True):
            self.parent_tree[offset + number] = value
        self.outline_items += copies[2]
        self.destinations.update(zip(destinations, copies[3], strict=True))
        self._merge_map(self.role_map, tree.get("/RoleMap"), "role", key)
        self._merge_map(self.class_map, dict(zip(classes, copies[4], strict=True)), "class", key)
        if document_level:
            self._set_document_level(copies[5])
        for element in elements:
            if "/ID" in element and element.is_indirect:
                # The copy made above: pikepdf copies each object of a part once.
                self.ids[str(element.ID)] = self.out.copy_foreign(element)

    def _copy(self, part: Pdf, groups: list[list[pikepdf.Object]]) -> list[list[pikepdf.Object]]:
        """Copy groups of the part's objects in one go, so that shared objects stay shared.

        An object the part's pages already brought along (a page, an annotation) is not
        copied again: pikepdf maps each object of a part to one copy.
        """
        flat = Array([value for group in groups for value in group])
        copied = list(self.out.copy_foreign(part.make_indirect(flat)))
        result, start = [], 0
        for group in groups:
            result.append(copied[start : start + len(group)])
            start += len(group)
        return result

    def _retag_fonts(self, part: Pdf) -> None:
        """Keep the first use of each subset tag; give a font whose tag is taken a new one."""
        for font in fonts_in(part):
            if tag := subset_tag(font):
                if tag in self.font_tags:
                    retag_font(font, self.font_tags)
                else:
                    self.font_tags.add(tag)

    def _shift_struct_parents(self, part: Pdf, offset: int) -> int:
        """Add ``offset`` to every ParentTree key the part's objects name; the largest key."""
        largest = -1
        for holder, field_name in _struct_parent_holders(part):
            value = int(holder[field_name])
            largest = max(largest, value)
            holder[field_name] = value + offset
        return largest

    def _add_part_element(self, tops: list[pikepdf.Object], part: Pdf) -> None:
        if len(tops) == 1 and tops[0].get("/S") == Name.Document:
            element = tops[0]
            element.S = Name.Part
        else:
            element = self.out.make_indirect(
                Dictionary(Type=Name.StructElem, S=Name.Part, K=Array(tops))
            )
            for top in tops:
                top.P = element
        element.P = self.document
        language = str(part.Root.get("/Lang", ""))
        if language and language != self.language:
            element.Lang = String(language)
        self.document.K.append(element)

    def _merge_map(
        self, merged: dict[str, pikepdf.Object], new: object, what: str, key: str
    ) -> None:
        if not isinstance(new, Dictionary | dict):
            return
        for name, value in new.items():
            if name in merged and _text(merged[name]) != _text(value):
                raise ValueError(f"part {key!r} maps the {what} {name} differently")
            merged.setdefault(name, value)

    def _document_level(self, part: Pdf) -> list[pikepdf.Object]:
        """What the first part says for the whole file, to be copied with it."""
        root = part.Root
        return [
            root.get("/ViewerPreferences", Dictionary()),
            root.get("/OutputIntents", Array()),
            root.get("/Metadata", Dictionary()),
            part.trailer.get("/Info", Dictionary()),
        ]

    def _set_document_level(self, copied: list[pikepdf.Object]) -> None:
        preferences, intents, metadata, info = copied
        root = self.out.Root
        root.ViewerPreferences = preferences
        root.ViewerPreferences.DisplayDocTitle = True
        if len(intents):
            root.OutputIntents = intents
        if isinstance(metadata, pikepdf.Stream):
            root.Metadata = metadata
        if len(info.keys()):
            self.out.trailer.Info = info
        root.Lang = String(self.language)
        root.MarkInfo = Dictionary(Marked=True)

    def link_parts(self, link_prefix: str) -> None:
        """Turn the URI links into other parts into GoTo actions to their pages."""
        for page, source in zip(self.out.pages, self.page_parts, strict=True):
            for annotation in page.obj.get("/Annots", Array()):
                action = annotation.get("/A")
                if not isinstance(action, Dictionary) or action.get("/S") != Name.URI:
                    continue
                address = str(action.get("/URI", ""))
                if not address.startswith(link_prefix):
                    continue
                key, _, fragment = address[len(link_prefix) :].partition("#")
                if key not in self.first_pages:
                    raise ValueError(
                        f"part {source!r} links to the part {key!r}, which is not among "
                        f"the parts joined ({', '.join(self.first_pages)})"
                    )
                name = f"{key}{SEPARATOR}{unquote(fragment)}"
                target: pikepdf.Object
                if fragment and name in self.destinations:
                    target = String(name)
                else:
                    target = Array([self.first_pages[key], Name.Fit])
                annotation.A = Dictionary(Type=Name.Action, S=Name.GoTo, D=target)
                if str(annotation.get("/Contents", "")) == address:
                    annotation.Contents = String(unquote(fragment) or key)

    def finish(self) -> bytes:
        out = self.out
        tree = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([self.document])))
        self.document.P = tree
        parent_tree = NumberTree.new(out)
        for number in sorted(self.parent_tree):
            parent_tree[number] = self.parent_tree[number]
        tree.ParentTree = out.make_indirect(parent_tree.obj)
        tree.ParentTreeNextKey = self.next_key
        if self.role_map:
            tree.RoleMap = Dictionary(self.role_map)
        if self.class_map:
            tree.ClassMap = Dictionary(self.class_map)
        if self.ids:
            ids = NameTree.new(out)
            for name, element in self.ids.items():
                ids[name] = element
            tree.IDTree = out.make_indirect(ids.obj)
        out.Root.StructTreeRoot = tree
        if self.destinations:
            destinations = NameTree.new(out)
            for name, destination in self.destinations.items():
                destinations[name] = destination
            out.Root.Names = Dictionary(Dests=out.make_indirect(destinations.obj))
        if self.outline_items:
            out.Root.Outlines = self._outlines()
        version = self.first.pdf_version if self.first is not None else "1.7"
        output = BytesIO()
        out.save(
            output,
            min_version=version,
            fix_metadata_version=False,
            deterministic_id=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
        return output.getvalue()

    def _outlines(self) -> Dictionary:
        items = self.outline_items
        root = self.out.make_indirect(Dictionary(Type=Name.Outlines))
        for index, item in enumerate(items):
            item.Parent = root
            if index:
                item.Prev = items[index - 1]
            if index + 1 < len(items):
                item.Next = items[index + 1]
        root.First, root.Last = items[0], items[-1]
        root.Count = sum(1 + max(int(item.get("/Count", 0)), 0) for item in items)
        return root


def _text(value: pikepdf.Object) -> bytes:
    return (
        value.unparse(resolved=True) if isinstance(value, pikepdf.Object) else repr(value).encode()
    )


def _struct_parent_holders(part: Pdf) -> Iterator[tuple[pikepdf.Object, str]]:
    """Each page, annotation and Form XObject with a ParentTree key, and its key's field."""
    seen: set[tuple[int, int]] = set()
    for page in part.pages:
        if "/StructParents" in page.obj:
            yield page.obj, "/StructParents"
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                yield annotation, "/StructParent"
        pending = [page.obj.get("/Resources")]
        while pending:
            resources = pending.pop()
            if not isinstance(resources, Dictionary):
                continue
            for xobject in resources.get("/XObject", Dictionary()).values():
                if xobject.get("/Subtype") != Name.Form or xobject.objgen in seen:
                    continue
                seen.add(xobject.objgen)
                if "/StructParents" in xobject:
                    yield xobject, "/StructParents"
                pending.append(xobject.get("/Resources"))


def _prefix_ids(elements: list[Dictionary], prefix: str) -> None:
    """Prefix each structure element's ID, and the IDs table cells name as headers."""
    for element in elements:
        if "/ID" in element:
            element.ID = String(prefix + str(element.ID))
        attributes = element.get("/A")
        for dictionary in attributes if isinstance(attributes, Array) else [attributes]:
            if isinstance(dictionary, Dictionary) and "/Headers" in dictionary:
                dictionary.Headers = Array(
                    [String(prefix + str(header)) for header in dictionary.Headers]
                )


def _prefix_destination(holder: pikepdf.Object, prefix: str) -> None:
    """Rename the named destination a link or a bookmark goes to, if it names one."""
    destination = holder.get("/Dest")
    if isinstance(destination, String | Name):
        holder.Dest = String(prefix + _destination_name(destination))
    action = holder.get("/A")
    if isinstance(action, Dictionary) and action.get("/S") == Name.GoTo:
        target = action.get("/D")
        if isinstance(target, String | Name):
            action.D = String(prefix + _destination_name(target))


def _destination_name(name: pikepdf.Object) -> str:
    return str(name)[1:] if isinstance(name, Name) else str(name)


def _detach_top_elements(tree: Dictionary) -> list[pikepdf.Object]:
    kids = tree.get("/K")
    tops = list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []
    for top in tops:
        if not isinstance(top, Dictionary) or "/S" not in top:
            raise ValueError("a part's structure tree root holds something other than elements")
        if "/P" in top:
            del top.P
    return tops


def _detach_outline_items(part: Pdf, prefix: str) -> list[pikepdf.Object]:
    """The part's top-level bookmarks, cut from their root, with destinations renamed."""
    outlines = part.Root.get("/Outlines")
    if not isinstance(outlines, Dictionary):
        return []
    tops: list[pikepdf.Object] = []
    item = outlines.get("/First")
    while isinstance(item, Dictionary) and len(tops) < 100_000:
        tops.append(item)
        item = item.get("/Next")
    pending = list(tops)
    seen: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if item.is_indirect and item.objgen in seen:
            continue
        seen.add(item.objgen)
        _prefix_destination(item, prefix)
        child = item.get("/First")
        while isinstance(child, Dictionary) and (not child.is_indirect or child.objgen not in seen):
            pending.append(child)
            child = child.get("/Next")
    for top in tops:
        for link in ("/Parent", "/Prev", "/Next"):
            if link in top:
                del top[link]
    return tops


def _named_destinations(part: Pdf, prefix: str) -> dict[str, pikepdf.Object]:
    """The part's named destinations, old style (``/Dests``) and name tree, renamed."""
    found: dict[str, pikepdf.Object] = {}
    old_style = part.Root.get("/Dests")
    if isinstance(old_style, Dictionary):
        for name, destination in old_style.items():
            found[prefix + name.lstrip("/")] = destination
    names = part.Root.get("/Names")
    if isinstance(names, Dictionary) and isinstance(names.get("/Dests"), Dictionary):
        for name, destination in NameTree(names.Dests).items():
            found[prefix + str(name)] = destination
    return found
