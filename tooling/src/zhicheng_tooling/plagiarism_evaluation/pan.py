"""PAN's plagiarism-detection format and measures (Potthast et al., "An Evaluation Framework for
Plagiarism Detection", COLING 2010; the PAN-PC corpora).

Ground truth and detections are XML documents, one per suspicious document::

    <document reference="suspicious-document00001.txt">
      <feature name="plagiarism" obfuscation="verbatim" this_offset="5" this_length="100"
               source_reference="source-document00012" source_offset="10" source_length="98"/>
    </document>

A detection *detects* a case when they overlap in the suspicious document AND refer to the same source
document with overlapping source spans.  Macro-averaged precision and recall count characters of the
suspicious document; granularity is the mean number of detections per detected case; and
``plagdet = F1 / log2(1 + granularity)``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Feature", "Scores", "features_from_xml", "features_to_xml", "plagdet"]


@dataclass(frozen=True, slots=True)
class Feature:
    document: str  # the suspicious document
    this_offset: int
    this_length: int
    source_reference: str
    source_offset: int
    source_length: int
    name: str = "plagiarism"
    obfuscation: str = ""

    @property
    def this_end(self) -> int:
        return self.this_offset + self.this_length

    @property
    def source_end(self) -> int:
        return self.source_offset + self.source_length


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


def features_to_xml(document: str, features: Iterable[Feature]) -> str:
    root = ET.Element("document", reference=f"{document}.txt")
    for f in features:
        attributes = {
            "name": f.name,
            "this_offset": str(f.this_offset),
            "this_length": str(f.this_length),
            "source_reference": f"{f.source_reference}.txt",
            "source_offset": str(f.source_offset),
            "source_length": str(f.source_length),
        }
        if f.obfuscation:
            attributes["obfuscation"] = f.obfuscation
        ET.SubElement(root, "feature", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def features_from_xml(xml: str, name: str | None = "plagiarism") -> list[Feature]:
    """The features of one PAN XML document (only those called ``name`` unless ``name`` is None)."""
    root = ET.fromstring(xml)
    document = root.get("reference", "").removesuffix(".txt")
    found = []
    for el in root.iter("feature"):
        if name is not None and el.get("name") != name:
            continue
        found.append(
            Feature(
                document=document,
                this_offset=int(el.get("this_offset", "0")),
                this_length=int(el.get("this_length", "0")),
                source_reference=el.get("source_reference", "").removesuffix(".txt"),
                source_offset=int(el.get("source_offset", "0")),
                source_length=int(el.get("source_length", "0")),
                name=el.get("name", ""),
                obfuscation=el.get("obfuscation", ""),
            )
        )
    return found


def _detects(case: Feature, det: Feature) -> bool:
    return (
        case.document == det.document
        and case.source_reference == det.source_reference
        and case.this_offset < det.this_end
        and det.this_offset < case.this_end
        and case.source_offset < det.source_end
        and det.source_offset < case.source_end
    )


def _union_length(spans: Iterable[tuple[int, int]]) -> int:
    total, reach = 0, -1
    for a, b in sorted(spans):
        if b <= reach:
            continue
        total += b - max(a, reach)
        reach = b
    return total


def plagdet(cases: Sequence[Feature], detections: Sequence[Feature]) -> Scores:
    """PAN's macro-averaged precision, recall, granularity and plagdet over all documents."""
    by_doc: dict[str, list[Feature]] = {}
    for d in detections:
        by_doc.setdefault(d.document, []).append(d)
    case_doc: dict[str, list[Feature]] = {}
    for c in cases:
        case_doc.setdefault(c.document, []).append(c)

    recall_sum = 0.0
    detected_cases = 0
    granularity_sum = 0
    for c in cases:
        hits = [d for d in by_doc.get(c.document, ()) if _detects(c, d)]
        spans = [(max(c.this_offset, d.this_offset), min(c.this_end, d.this_end)) for d in hits]
        recall_sum += _union_length(spans) / c.this_length if c.this_length else 0.0
        if hits:
            detected_cases += 1
            granularity_sum += len(hits)
    precision_sum = 0.0
    for d in detections:
        hits = [c for c in case_doc.get(d.document, ()) if _detects(c, d)]
        spans = [(max(c.this_offset, d.this_offset), min(c.this_end, d.this_end)) for c in hits]
        precision_sum += _union_length(spans) / d.this_length if d.this_length else 0.0

    recall = recall_sum / len(cases) if cases else 1.0
    precision = precision_sum / len(detections) if detections else (1.0 if not cases else 0.0)
    granularity = granularity_sum / detected_cases if detected_cases else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, granularity, f1 / math.log2(1 + granularity), len(cases), len(detections))
