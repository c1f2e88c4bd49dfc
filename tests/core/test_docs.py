"""The docs build without a broken link or anchor, and every link of the README resolves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_the_docs_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [MKDOCS, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "runbook" / "index.html").exists()


def test_every_readme_link_resolves() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    targets = [t for t in LINK.findall(readme) if not t.startswith(("http://", "https://", "mailto:", "#"))]
    assert targets, "README links to the docs"
    missing = [t for t in targets if not (ROOT / t.split("#", 1)[0]).exists()]
    assert missing == []
