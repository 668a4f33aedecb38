"""The web process (`gunicorn vip.wsgi:application`): what it loads at start is out of the garbage collector's
way, so a full collection does not stall a request (docs/performance.md, "The web process")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_web_process_loads_its_views_and_freezes_them_before_the_first_request():
    probe = (
        "import gc, sys; import vip.wsgi; "
        "print(gc.get_freeze_count(), 'notifications.views' in sys.modules, 'candidates.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vip.settings"}
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    frozen, views_loaded, candidate_views_loaded = int(out[0]), out[1], out[2]
    assert frozen > 50_000  # Django, the apps, the models and the views: over a hundred thousand objects
    assert views_loaded == candidate_views_loaded == "True"
