"""The one way a browser test keeps a picture of a screen (issue 18: `make screens`, docs/user-guide.md).

`shot(page, "lead-cn-ready")` saves the visible screen, at CSS pixels so the PNG stays small, under the folder
VIP_SCREENSHOTS names (`make screens` sets docs/screens), or else under a scratch folder, so that a test run
leaves the tree as it found it. A journey names its pictures `<persona>-<screen>` (lead-, officer-, pm-,
services-, admin-, custodian-): docs/user-guide.md shows them by those names.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def screens_folder() -> Path:
    folder = Path(os.environ.get("VIP_SCREENSHOTS") or Path(tempfile.gettempdir()) / "vip-screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page, name: str) -> Path:
    path = screens_folder() / f"{name}.png"
    page.screenshot(path=str(path), scale="css")
    return path
