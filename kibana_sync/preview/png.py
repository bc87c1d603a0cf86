"""PNG from the SVG, only where a renderer is already installed: ``rsvg-convert`` (librsvg) on the PATH, or the
``cairosvg`` package. Neither is a dependency of kibana-sync."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class NoRenderer(Exception):
    """No SVG-to-PNG renderer is installed."""


class RenderFailed(Exception):
    """The renderer ran and failed (e.g. the output folder does not exist)."""


def render_png(svg: str, out: Path) -> str:
    """Write ``svg`` as a PNG to ``out``; returns the renderer's name. Raises NoRenderer when there is none."""
    rsvg = shutil.which("rsvg-convert")
    if rsvg is not None:
        done = subprocess.run([rsvg, "--format", "png", "--output", str(out)], input=svg.encode(),
                              capture_output=True)
        if done.returncode != 0:
            raise RenderFailed(f"rsvg-convert failed: {done.stderr.decode(errors='replace').strip()}")
        return "rsvg-convert"
    try:
        import cairosvg  # optional: only used when the user has installed it
    except ImportError:
        raise NoRenderer("no PNG renderer found: install librsvg (rsvg-convert) or `pip install cairosvg`, "
                         "or write an .svg") from None
    cairosvg.svg2png(bytestring=svg.encode(), write_to=str(out))
    return "cairosvg"
