"""Draw a ``DashboardPicture`` as SVG: the title, a controls bar when there are controls, and each panel as a box
at its grid position with its title and what it shows, coloured by panel type.

The scale is fixed (``COLUMN_PX`` per grid column, ``ROW_PX`` per grid row, as Kibana's 20-pixel row height),
so two pictures of the same dashboard line up, and a box's place can be read back as grid units.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from kibana_sync.kinds.dashboard.model import GRID_COLUMNS
from kibana_sync.preview.picture import DashboardPicture, PanelBox

COLUMN_PX = 20
ROW_PX = 20
MARGIN_PX = 16
TITLE_PX = 36
CONTROLS_PX = 34
CHAR_PX = 7  # average width of a 12px sans-serif character, to cut long titles before they leave their box

# Fill colours by panel category; the text stays dark on all of them.
COLOURS = {"chart": "#cfe3f7", "lens": "#bcd7f2", "search": "#d5ecd4", "markdown": "#f2ecd0",
           "vis": "#e6dbf3", "saved_vis": "#e6dbf3", "visualization": "#e6dbf3", "map_attributes": "#d2ede9",
           "map": "#d2ede9", "links": "#f5dccc", "raw": "#e2e2e2"}
_FALLBACK = "#e2e2e2"


def grid_origin(picture: DashboardPicture) -> tuple[int, int]:
    """Where grid cell (0, 0) is in the SVG, in pixels."""
    return MARGIN_PX, MARGIN_PX + TITLE_PX + (CONTROLS_PX if picture.controls else 0)


def render_svg(picture: DashboardPicture) -> str:
    left, top = grid_origin(picture)
    rows = max((p.y + p.h for p in picture.panels), default=0)
    width = 2 * MARGIN_PX + GRID_COLUMNS * COLUMN_PX
    height = top + rows * ROW_PX + MARGIN_PX
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f"<title>{escape(picture.title)}</title>",
           f'<rect width="{width}" height="{height}" fill="#f7f8fc"/>',
           f'<text class="dashboard-title" x="{MARGIN_PX}" y="{MARGIN_PX + 20}" font-size="18" '
           f'font-weight="bold" fill="#1a1c21">{escape(_fit(picture.title, width - 2 * MARGIN_PX, 10))}</text>']
    if picture.controls:
        out.extend(_controls_bar(picture.controls, MARGIN_PX + TITLE_PX))
    # Faint column guides every 12 columns (a quarter of the width), so sizes can be judged by eye.
    for column in range(0, GRID_COLUMNS + 1, 12):
        x = left + column * COLUMN_PX
        out.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{top + rows * ROW_PX}" stroke="#dfe3ec" '
                   'stroke-dasharray="4 4"/>')
    for index, panel in enumerate(picture.panels):
        out.extend(_panel(index, panel, left, top))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _controls_bar(controls: list[str], top: int) -> list[str]:
    width = GRID_COLUMNS * COLUMN_PX
    out = [f'<g class="controls"><rect x="{MARGIN_PX}" y="{top}" width="{width}" height="{CONTROLS_PX - 8}" '
           'rx="4" fill="#ffffff" stroke="#c9cfdb"/>']
    slot = width / len(controls)
    for n, label in enumerate(controls):
        x = MARGIN_PX + n * slot
        out.append(f'<rect class="control" x="{x + 4:.1f}" y="{top + 4}" width="{slot - 8:.1f}" '
                   f'height="{CONTROLS_PX - 16}" rx="3" fill="#eef1f7" stroke="#c9cfdb"/>')
        out.append(f'<text x="{x + 10:.1f}" y="{top + 17}" fill="#343741">'
                   f"{escape(_fit(label + ' ▾', slot - 20))}</text>")
    out.append("</g>")
    return out


def _panel(index: int, panel: PanelBox, left: int, top: int) -> list[str]:
    x, y = left + panel.x * COLUMN_PX, top + panel.y * ROW_PX
    w, h = panel.w * COLUMN_PX, panel.h * ROW_PX
    fill = COLOURS.get(panel.category, _FALLBACK)
    out = [f'<g class="panel" data-index="{index}" data-category={quoteattr(panel.category)}>',
           f"<title>{escape(f'{panel.title or panel.label} ({panel.label}) x={panel.x} y={panel.y} w={panel.w} h={panel.h}')}</title>",
           # The rect is the grid cell range exactly; the white stroke stands in for Kibana's panel margins.
           f'<rect class="panel-box" x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="#ffffff" '
           'stroke-width="3" rx="4"/>']
    if h >= 16 and w >= 24:
        room = w - 12
        if panel.title:
            out.append(f'<text class="panel-title" x="{x + 6}" y="{y + 17}" font-weight="bold" fill="#1a1c21">'
                       f"{escape(_fit(panel.title, room))}</text>")
        if h >= 36 or not panel.title:
            out.append(f'<text class="panel-type" x="{x + 6}" y="{y + (33 if panel.title else 17)}" fill="#535966">'
                       f"{escape(_fit(panel.label, room))}</text>")
    out.append("</g>")
    return out


def _fit(text: str, room_px: float, char_px: int = CHAR_PX) -> str:
    fits = max(int(room_px // char_px), 1)
    return text if len(text) <= fits else text[: max(fits - 1, 0)] + "…"
