"""Draw the Teams icons with Pillow: color.png (192x192) and outline.png (32x32, white on transparent).

    python manifests/teams/make_icons.py

The motif: a stack of registry entries (a list) with a tick, on the app's accent colour.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (31, 78, 121, 255)  # #1F4E79, the manifest's accentColor
WHITE = (255, 255, 255, 255)
SCALE = 4  # draw large, then shrink: smooth edges without antialiasing support in ImageDraw


def _motif(draw: ImageDraw.ImageDraw, size: int, ink: tuple[int, int, int, int], stroke: int) -> None:
    """Three list lines with bullets, and a tick at the lower right, inside a `size` square."""
    left, right = int(size * 0.18), int(size * 0.70)
    for i, y in enumerate((0.28, 0.45, 0.62)):
        cy = int(size * y)
        r = stroke
        draw.ellipse((left - r, cy - r, left + r, cy + r), fill=ink)
        draw.line((left + 2 * stroke + r, cy, right - (i * size // 14), cy), fill=ink, width=stroke)
    tick = [(size * 0.56, size * 0.72), (size * 0.67, size * 0.83), (size * 0.86, size * 0.58)]
    draw.line([(int(x), int(y)) for x, y in tick], fill=ink, width=int(stroke * 1.5), joint="curve")


def color_icon(size: int = 192) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 6, fill=ACCENT)
    _motif(draw, big, WHITE, stroke=big // 22)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def outline_icon(size: int = 32) -> Image.Image:
    """White strokes on a fully transparent background, as Teams requires for the outline icon."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    _motif(ImageDraw.Draw(image), big, WHITE, stroke=big // 14)
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    # Resampling leaves greyish edge pixels; keep only white, with the alpha carrying the shape.
    alpha = small.getchannel("A")
    return Image.merge("RGBA", (*(Image.new("L", (size, size), 255),) * 3, alpha))


def main() -> None:
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)
    print(f"Skrev {HERE / 'color.png'} og {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
