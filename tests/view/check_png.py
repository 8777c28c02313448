#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks that a PNG screenshot of a kvmrec plot is not blank and shows what
it must: the guest/userspace lane bands and the red violation highlight.

usage: check_png.py OUT.png [--lanes] [--red]

Decodes the PNG with zlib only (8-bit RGB/RGBA, non-interlaced, as Chromium
writes). Fails (exit 1, reason on stderr) when fewer than 2% of the pixels
are non-white, when --lanes is given and the band colours (#9fd49f guest,
#b9c4e0 userspace) cover fewer than 500 pixels each, or when --red is given
and fewer than 200 pixels are the highlight red (#d40000).
"""
import struct
import sys
import zlib


def fail(msg):
    print("check_png: " + msg, file=sys.stderr)
    sys.exit(1)


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + ": not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail("%s: unsupported PNG (depth %d, colour type %d)" % (path, depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def near(px, rgb, tol=14):
    return all(abs(px[i] - rgb[i]) <= tol for i in range(3))


def main():
    args = sys.argv[1:]
    if not args:
        fail("usage: check_png.py OUT.png [--lanes] [--red]")
    path = args[0]
    w, h, bpp, rows = decode(path)
    nonwhite = guest = user = red = 0
    for row in rows:
        for x in range(0, w * bpp, bpp):
            px = row[x:x + 3]
            if px[0] < 245 or px[1] < 245 or px[2] < 245:
                nonwhite += 1
            if near(px, (0x9f, 0xd4, 0x9f)):
                guest += 1
            elif near(px, (0xb9, 0xc4, 0xe0)):
                user += 1
            elif near(px, (0xd4, 0, 0), 40):
                red += 1
    share = nonwhite / float(w * h)
    print("%s: %dx%d, %.1f%% non-white, guest band %d px, userspace band %d px, red %d px"
          % (path, w, h, 100 * share, guest, user, red))
    if share < 0.02:
        fail("%s: blank (%.2f%% non-white)" % (path, 100 * share))
    if "--lanes" in args and (guest < 500 or user < 500):
        fail("%s: lane bands missing (guest %d px, userspace %d px)" % (path, guest, user))
    if "--red" in args and red < 200:
        fail("%s: no red highlight (%d px)" % (path, red))


main()
