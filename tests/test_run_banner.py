"""`make run`'s banner prints the sign-in hints and runs nothing (issue #18: it ran `make otp` by accident)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

RUN_SH = Path(__file__).resolve().parent.parent / "scripts" / "run.sh"


def banner_script() -> str:
    """The lines of scripts/run.sh that print the banner: from its printf to the heredoc's end."""
    text = RUN_SH.read_text()
    return re.search(r"^printf .*?^MSG$", text, re.S | re.M).group(0)


def print_banner(**env: str) -> str:
    """Run the banner's lines in bash (the script's own text, not input from anyone) and return what it printed."""
    bash = shutil.which("bash")
    done = subprocess.run([bash, "-c", banner_script()], env={**os.environ, **env}, capture_output=True, text=True)  # noqa: S603
    return done.stdout


def test_the_banner_shows_the_otp_command_without_running_it(tmp_path):
    ran = tmp_path / "make-ran"
    fake_make = tmp_path / "make"
    fake_make.write_text(f"#!/bin/sh\ntouch {ran}\necho 123456\n")
    fake_make.chmod(0o755)
    out = print_banner(PATH=f"{tmp_path}:{os.environ['PATH']}", HOST="10.0.0.5", PORT="8080")
    assert "`make otp U=officer1`" in out and not ran.exists()


def test_the_banner_says_where_the_site_listens(tmp_path):
    out = print_banner(HOST="10.0.0.5", PORT="8080")
    assert "http://10.0.0.5:8080/" in out
