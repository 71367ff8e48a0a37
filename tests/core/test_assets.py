"""The committed stylesheet and scripts are what scripts/build-assets makes from frontend/ (GOV.UK
Frontend and Dart Sass, pinned by its package-lock.json): nobody edits the compiled CSS by hand,
and a change to frontend/ is committed with its rebuild."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "egov" / "core" / "static" / "core"
BUILT = ["egov.min.css", "govuk/govuk-frontend.min.js"]


@pytest.mark.slow
def test_a_rebuild_gives_the_committed_bytes(tmp_path):
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node and npm are needed to rebuild the assets (apt-get install nodejs npm)")
    result = subprocess.run(
        [str(ROOT / "scripts" / "build-assets"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (STATIC / name).read_bytes(), (
            f"{name} differs from a rebuild: run scripts/build-assets and commit"
        )


def test_no_gds_transport_and_no_inline_code():
    """The font's licence is for GOV.UK only; the CSP refuses inline scripts and styles."""
    css = (STATIC / "egov.min.css").read_text(encoding="utf-8")
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "#da251d" in css.lower()  # the national red is the brand colour
    base = (ROOT / "src" / "egov" / "core" / "templates" / "base.html").read_text(encoding="utf-8")
    assert "<style" not in base and "style=" not in base
    assert "<script>" not in base and 'src="{% static' in base


@pytest.mark.slow
def test_production_collectstatic_finds_every_file_the_css_references(settings, tmp_path):
    """The manifest storage of production resolves each url() of the CSS and fails on a missing
    file (GOV.UK's crest was one): the stylesheet may only point at files we ship."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = sorted(p.name for p in (tmp_path / "core").glob("egov.min.*.css"))
    assert hashed, "the stylesheet was collected under a hashed name"
