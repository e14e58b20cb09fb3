#!/usr/bin/env python3
"""gen_textwidth - the code point width table of libsockstate/src/textwidth.c.

  tests/tools/gen_textwidth.py > /tmp/table.c

Prints the C initializer of the ranges of code points (U+0300 and up)
that a terminal shows in zero columns (combining marks, format
characters, Hangul medial vowels) or two (East Asian Wide and Fullwidth,
planes 2 and 3), from Python's unicodedata. Unassigned code points join
the range around them. Everything else is one column. Paste the output
between the markers in textwidth.c; the comment there names the Unicode
version it came from.
"""

import sys
import unicodedata


def width(cp):
    if cp == 0xAD:                      # soft hyphen: shown, one column
        return 1
    if 0x1160 <= cp <= 0x11FF:          # Hangul medial vowels and finals
        return 0
    if 0x20000 <= cp <= 0x3FFFD:        # CJK extensions: wide, assigned or not
        return 2
    c = chr(cp)
    cat = unicodedata.category(c)
    if cat in ("Cn", "Cs", "Co"):
        return None                     # joins its neighbours
    if cat in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 2
    return 1


def ranges():
    out = []
    cur = None
    for cp in range(0x300, 0x110000):
        w = width(cp)
        if w is None:
            continue
        if w == 1:
            cur = None
            continue
        if cur and cur[2] == w:
            cur[1] = cp
        else:
            cur = [cp, cp, w]
            out.append(cur)
    return out


def main():
    rows = ranges()
    sys.stdout.write("/* Unicode %s, %d ranges */\n" % (unicodedata.unidata_version, len(rows)))
    for first, last, w in rows:
        sys.stdout.write("\t{0x%05X, 0x%05X, %d},\n" % (first, last, w))
    return 0


if __name__ == "__main__":
    sys.exit(main())
