"""An organization's full name as on its seal, normalised for comparison (ORG-3, ORG-4).

The ID-card and credit-code checks are the kernel's (`zhicheng_kernel.identifiers`).
"""

from __future__ import annotations

import unicodedata


def normalise_name(name: str) -> str:
    """The full name with its width folded (NFKC) and every whitespace removed."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if not ch.isspace())
