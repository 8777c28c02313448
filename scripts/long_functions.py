#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""List C functions longer than a screen (issue 12's rule: none over ~80 lines
without a comment saying why it must be).

A function is counted from the line of its opening '{' to its closing '}' at
column 0 (kernel style). Usage: long_functions.py [--max N] DIR...; prints
"LINES  FILE: NAME" sorted by file, then name. Exit status 0.
"""
import argparse
import os
import re

SIG_END = re.compile(r'^[A-Za-z_].*\)\s*\{\s*$')    # "int f(void) {" on one line
NAME = re.compile(r'([A-Za-z_]\w*)\s*\(')
NOT_FUNC = ('struct', 'enum', 'union', 'static const', 'const', 'typedef')


def functions(path):
    lines = open(path, errors='replace').read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i] != '{' and not (SIG_END.match(lines[i]) and
                                     not lines[i].startswith(NOT_FUNC)):
            i += 1
            continue
        head, j = '', i
        while j >= 0 and j > i - 6:     # the signature: back to its first line
            head = lines[j] + ' ' + head
            if re.match(r'^[A-Za-z_]', lines[j]) and '(' in lines[j]:
                break
            j -= 1
        end = i + 1
        while end < len(lines) and not lines[end].startswith('}'):
            end += 1
        m = NAME.search(head)
        if m and not head.lstrip().startswith(NOT_FUNC):
            yield m.group(1), end - i + 1
        i = end + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--max', type=int, default=80)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    out = []
    for d in a.dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if f.endswith('.c'):
                    p = os.path.join(root, f)
                    out += [(p, name, n) for name, n in functions(p) if n > a.max]
    for p, name, n in sorted(out):
        print(f'{n:5d}  {p}: {name}')


if __name__ == '__main__':
    main()
