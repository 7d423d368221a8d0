"""Writes examples/site/public/fonts/pixel.ttf, the demo site's web font: a 5x7 pixel face for the
letters of its headings, drawn here so the file is ours (run with fontTools installed).
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

GLYPHS = {
    "A": ".###.,#...#,#...#,#####,#...#,#...#,#...#",
    "B": "####.,#...#,#...#,####.,#...#,#...#,####.",
    "C": ".####,#....,#....,#....,#....,#....,.####",
    "D": "####.,#...#,#...#,#...#,#...#,#...#,####.",
    "E": "#####,#....,#....,####.,#....,#....,#####",
    "F": "#####,#....,#....,####.,#....,#....,#....",
    "G": ".####,#....,#....,#.###,#...#,#...#,.###.",
    "H": "#...#,#...#,#...#,#####,#...#,#...#,#...#",
    "I": "#####,..#..,..#..,..#..,..#..,..#..,#####",
    "K": "#...#,#..#.,#.#..,##...,#.#..,#..#.,#...#",
    "L": "#....,#....,#....,#....,#....,#....,#####",
    "M": "#...#,##.##,#.#.#,#.#.#,#...#,#...#,#...#",
    "N": "#...#,##..#,#.#.#,#..##,#...#,#...#,#...#",
    "O": ".###.,#...#,#...#,#...#,#...#,#...#,.###.",
    "P": "####.,#...#,#...#,####.,#....,#....,#....",
    "R": "####.,#...#,#...#,####.,#.#..,#..#.,#...#",
    "S": ".####,#....,#....,.###.,....#,....#,####.",
    "T": "#####,..#..,..#..,..#..,..#..,..#..,..#..",
    "U": "#...#,#...#,#...#,#...#,#...#,#...#,.###.",
    "W": "#...#,#...#,#...#,#.#.#,#.#.#,##.##,#...#",
    "Y": "#...#,#...#,.#.#.,..#..,..#..,..#..,..#..",
    "-": ".....,.....,.....,#####,.....,.....,.....",
    "4": "#...#,#...#,#...#,#####,....#,....#,....#",
    "0": ".###.,#...#,#..##,#.#.#,##..#,#...#,.###.",
}
CELL = 100
ADVANCE = 6 * CELL


def draw(pattern: str) -> object:
    pen = TTGlyphPen(None)
    for row, line in enumerate(pattern.split(",")):
        for col, ch in enumerate(line):
            if ch != "#":
                continue
            x, y = col * CELL, (6 - row) * CELL
            pen.moveTo((x, y))
            pen.lineTo((x, y + CELL))
            pen.lineTo((x + CELL, y + CELL))
            pen.lineTo((x + CELL, y))
            pen.closePath()
    return pen.glyph()


def main() -> None:
    names = [".notdef", "space", *(f"g{ord(c)}" for c in GLYPHS)]
    glyphs = {".notdef": draw("#####,#...#,#...#,#...#,#...#,#...#,#####"), "space": draw("")}
    cmap = {32: "space"}
    for char, pattern in GLYPHS.items():
        name = f"g{ord(char)}"
        glyphs[name] = draw(pattern)
        cmap[ord(char)] = name
        if char.isalpha():
            cmap[ord(char.lower())] = name
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap(cmap)
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (ADVANCE, 0) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Demo Pixel", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    out = Path(__file__).parent / "site" / "public" / "fonts" / "pixel.ttf"
    fb.save(str(out))
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
