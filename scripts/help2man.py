#!/usr/bin/env python3
"""The man pages and the bash completion, made from the programs' --help.

The --help text of each command (cli/cmd_*.c, vmm/main.c) is the one source
of truth for synopsis, options and exit status; docs/man/PAGE.scd adds what
--help has no room for (NAME, examples, files, see also) around an @HELP@
line, which this script replaces with SYNOPSIS, DESCRIPTION, OPTIONS and
EXIT STATUS converted from --help. scdoc(1) then makes the roff.

  help2man.py scd TEMPLATE OUT.1 SCDOC -- PROGRAM [ARGS...]
  help2man.py completion OUT -- KVMREC
"""
import gzip
import re
import subprocess
import sys

# "  -o, --output FILE    text" / "  FILE     text" / "  copy-consulted     text"
ITEM = re.compile(r"^  (\S(?:.*?\S)?)\s{2,}(\S.*)$")


def run_help(argv):
    p = subprocess.run(argv + ["--help"], capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout:
        sys.exit(f"help2man: {' '.join(argv)} --help exited {p.returncode}")
    return p.stdout


def esc(text):
    """scdoc's markup characters taken literally."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def parse(text):
    """Synopsis lines, then blocks: ('para', text) / ('items', [(term, desc)]) /
    ('literal', [lines]) / ('exit', text)."""
    lines = text.rstrip("\n").split("\n")
    synopsis = []
    i = 0
    while i < len(lines) and (lines[i].startswith("usage: ") or
                              (synopsis and lines[i].startswith("   "))):
        synopsis.append(lines[i].removeprefix("usage: ").strip())
        i += 1
    blocks = []
    para = []
    exit_mode = False

    def flush():
        if para:
            blocks.append(("exit" if exit_mode else "para", " ".join(para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            flush()
            continue
        if line.startswith("Exit status:"):
            flush()
            exit_mode = True
            para.append(line.removeprefix("Exit status:").strip())
            continue
        m = ITEM.match(line)
        if m and not exit_mode:
            flush()
            items = [[m.group(1), m.group(2)]]
            base = len(line) - len(line.lstrip())
            desc_col = line.index(m.group(2))
            while i < len(lines) and lines[i].strip():
                nxt = lines[i]
                ind = len(nxt) - len(nxt.lstrip())
                m2 = ITEM.match(nxt)
                if ind == base and m2:
                    items.append([m2.group(1), m2.group(2)])
                elif ind > base:
                    # A continuation; a deeper sub-list (replay's models) keeps its lines.
                    sep = "\n" if ind >= desc_col and ITEM.match(nxt[ind - 2:]) else " "
                    items[-1][1] += sep + nxt.strip()
                else:
                    break
                i += 1
            blocks.append(("items", items))
            continue
        if line.startswith("  ") and not exit_mode:
            flush()
            lit = [line]
            while i < len(lines) and lines[i].startswith("  "):
                lit.append(lines[i])
                i += 1
            blocks.append(("literal", lit))
            continue
        para.append(line.strip())
    flush()
    return synopsis, blocks


def term_markup(term):
    """'-o, --output FILE' -> '*-o*, *--output* _FILE_'."""
    out = []
    for word in term.split(" "):
        core = word.rstrip(",")
        tail = word[len(core):]
        if core.startswith("-"):
            out.append(f"*{esc(core)}*{tail}")
        elif core.isupper() or re.fullmatch(r"[A-Z][A-Z0-9_.]*", core or "x"):
            out.append(f"_{esc(core)}_{tail}")
        else:
            out.append(esc(word))
    return " ".join(out)


def to_scd(help_text):
    synopsis, blocks = parse(help_text)
    out = ["# SYNOPSIS", ""]
    # One synopsis line per "usage:" line; its wrapped continuations rejoined.
    joined = []
    for s in synopsis:
        if joined and not s.startswith(("kvmrec", "usage")):
            joined[-1] += " " + s
        else:
            joined.append(s)
    for s in joined:
        prog, _, rest = s.partition(" ")
        # "kvmrec diff A B ..." : the command words in bold.
        if prog == "kvmrec" and rest and not rest.startswith(("-", "[")):
            sub, _, rest = rest.partition(" ")
            prog = f"{prog} {sub}"
        out.append(f"*{esc(prog)}* {esc(rest)}".rstrip() + " ++")
    out[-1] = out[-1].removesuffix(" ++")
    desc, opts, exits = [], [], []
    for kind, body in blocks:
        if kind == "exit":
            exits.append(esc(body))
        elif kind == "items" and any(t.startswith("-") for t, _ in body):
            opts.append(body)
        elif kind == "items":
            # A named list that is not options (bisect's knobs, FILE operands).
            for t, d in body:
                desc += [term_markup(t), "\t" + esc(d).replace("\n", " ++\n\t"), ""]
        elif kind == "literal":
            desc += ["```"] + [l.strip() for l in body] + ["```", ""]
        else:
            desc += [esc(body), ""]
    out += ["", "# DESCRIPTION", ""] + desc
    if opts:
        out += ["# OPTIONS", ""]
        for body in opts:
            for t, d in body:
                out += [term_markup(t), "\t" + esc(d).replace("\n", " ++\n\t"), ""]
    if exits:
        out += ["# EXIT STATUS", ""] + [e + "\n" for e in exits]
    return "\n".join(out).rstrip() + "\n"


def cmd_scd(template, dest, argv, scdoc):
    """DEST.scd, then DEST (roff, by scdoc) and DEST.gz (reproducible: no name, no time)."""
    tpl = open(template).read()
    if "@HELP@" not in tpl:
        sys.exit(f"help2man: {template}: no @HELP@ line")
    page = tpl.replace("@HELP@", to_scd(run_help(argv)).rstrip("\n"))
    with open(dest + ".scd", "w") as f:
        f.write(page)
    p = subprocess.run([scdoc], input=page, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"help2man: scdoc on {dest}.scd: {p.stderr.strip()}")
    with open(dest, "w") as f:
        f.write(p.stdout)
    with open(dest + ".gz", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as z:
            z.write(p.stdout.encode())


def options_of(help_text):
    _, blocks = parse(help_text)
    found = []
    for s in parse(help_text)[0]:
        found += re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", s)
    for kind, body in blocks:
        if kind == "items":
            for t, _ in body:
                found += re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", t)
    seen = []
    for o in found + ["--help"]:
        if o not in seen:
            seen.append(o)
    return seen


def cmd_completion(dest, kvmrec, vmm):
    top = run_help([kvmrec])
    cmds = re.findall(r"^  kvmrec (\w+)", top, re.M)
    lines = [
        "# bash completion for kvmrec and kvmrec-vmm; generated from their --help",
        "# by scripts/help2man.py at build time.",
        "_kvmrec()",
        "{",
        "\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} i",
        "\tfor ((i = 1; i < COMP_CWORD; i++)); do",
        "\t\t[ \"${COMP_WORDS[i]}\" = -- ] && { COMPREPLY=($(compgen -c -- \"$cur\")); return; }",
        "\tdone",
        "\tif [ \"$COMP_CWORD\" = 1 ]; then",
        f"\t\tCOMPREPLY=($(compgen -W \"{' '.join(cmds)} --help --version\" -- \"$cur\"))",
        "\t\treturn",
        "\tfi",
        "\tcase $cmd in",
    ]
    for c in cmds:
        opts = " ".join(options_of(run_help([kvmrec, c])))
        lines.append(f"\t{c}) [[ $cur == -* ]] && {{ COMPREPLY=($(compgen -W \"{opts}\" -- \"$cur\")); return; }} ;;")
    lines += [
        "\tesac",
        "\tCOMPREPLY=($(compgen -f -- \"$cur\"))",
        "}",
        "complete -o filenames -F _kvmrec kvmrec",
        "",
        "_kvmrec_vmm()",
        "{",
        "\tlocal cur=${COMP_WORDS[COMP_CWORD]}",
        "\tif [[ $cur == -* ]]; then",
        f"\t\tCOMPREPLY=($(compgen -W \"{' '.join(options_of(run_help([vmm])))}\" -- \"$cur\"))",
        "\telse",
        "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))",
        "\tfi",
        "}",
        "complete -o filenames -F _kvmrec_vmm kvmrec-vmm",
    ]
    with open(dest, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    sep = argv.index("--")
    head, prog = argv[1:sep], argv[sep + 1:]
    if head[:1] == ["scd"] and len(head) == 4 and prog:
        cmd_scd(head[1], head[2], prog, head[3])
    elif head[:1] == ["completion"] and len(head) == 2 and len(prog) == 2:
        cmd_completion(head[1], prog[0], prog[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
