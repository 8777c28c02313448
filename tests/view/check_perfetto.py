#!/usr/bin/env python3
"""Checks a `kvmrec export --format perfetto` file against proto/perfetto_trace.proto.

usage: check_perfetto.py SCHEMA.proto FILE.pftrace [--min-packets N]

Decodes FILE with `protoc --decode=perfetto.protos.Trace` (the schema alone, no
Perfetto code) and checks what trace_processor relies on:
  - each sequence starts with a packet that clears its incremental state and
    defines its incremental clock; timestamps only grow on a sequence;
  - every interned name id is defined on its sequence before it is used, and
    never redefined with another name;
  - every track an event names was described; slices on a track nest and all
    close by the end;
  - every flow that starts also ends (at its delivery, or at an
    "undelivered" instant), and nothing ends that did not start.
Prints one line per problem (the first 20) and exits 1, or prints a summary and
exits 0.
"""
import subprocess
import sys


def parse_text(text):
    """protoc's text format -> nested lists of (key, value) pairs."""
    root = []
    stack = [root]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "}":
            stack.pop()
            continue
        if line.endswith("{"):
            node = []
            stack[-1].append((line[:-1].strip(), node))
            stack.append(node)
            continue
        key, _, val = line.partition(":")
        val = val.strip()
        if val.startswith('"'):
            val = bytes(val[1:-1], "utf-8").decode("unicode_escape")
        stack[-1].append((key.strip(), val))
    return root


def get(node, key, default=None):
    for k, v in node:
        if k == key:
            return v
    return default


def get_all(node, key):
    return [v for k, v in node if k == key]


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    schema, path = sys.argv[1], sys.argv[2]
    min_packets = 1
    if "--min-packets" in sys.argv:
        min_packets = int(sys.argv[sys.argv.index("--min-packets") + 1])
    import os
    with open(path, "rb") as f:
        data = f.read()
    res = subprocess.run(
        ["protoc", "--decode=perfetto.protos.Trace",
         "-I" + os.path.dirname(os.path.abspath(schema)), os.path.abspath(schema)],
        input=data, capture_output=True)
    if res.returncode != 0:
        print("%s: protoc --decode failed: %s" % (path, res.stderr.decode().strip()))
        return 1
    packets = get_all(parse_text(res.stdout.decode("utf-8", "replace")), "packet")

    problems = []
    seqs = {}         # id -> {"clock": bool, "ts": int, "names": {iid: name}, "track": uuid}
    tracks = set()
    depth = {}        # track uuid -> open slices
    flows_open = set()
    flows_done = set()
    counts = {"slices": 0, "instants": 0, "counters": 0, "flows": 0}

    for i, p in enumerate(packets):
        sid = int(get(p, "trusted_packet_sequence_id", "0"))
        if sid == 0:
            problems.append("packet %d: no trusted_packet_sequence_id" % i)
            continue
        flags = int(get(p, "sequence_flags", "0"))
        s = seqs.get(sid)
        if s is None:
            if not flags & 1:
                problems.append("packet %d: sequence %d starts without clearing its state" % (i, sid))
            s = seqs[sid] = {"clock": False, "ts": 0, "names": {}, "track": None}
        defaults = get(p, "trace_packet_defaults")
        if defaults is not None:
            ted = get(defaults, "track_event_defaults")
            if ted is not None:
                s["track"] = int(get(ted, "track_uuid", "0"))
        snap = get(p, "clock_snapshot")
        if snap is not None:
            for clk in get_all(snap, "clocks"):
                if get(clk, "is_incremental") == "true":
                    s["clock"] = True
                    s["ts"] = int(get(clk, "timestamp", "0"))
        elif get(p, "timestamp") is not None:
            if not s["clock"]:
                problems.append("packet %d: timestamp before sequence %d defines its clock" % (i, sid))
            delta = int(get(p, "timestamp"))
            if delta < 0:
                problems.append("packet %d: time goes back on sequence %d" % (i, sid))
            s["ts"] += delta
        interned = get(p, "interned_data")
        if interned is not None:
            for en in get_all(interned, "event_names"):
                iid, name = int(get(en, "iid")), get(en, "name")
                if s["names"].get(iid, name) != name:
                    problems.append("packet %d: iid %d redefined on sequence %d" % (i, iid, sid))
                s["names"][iid] = name
        td = get(p, "track_descriptor")
        if td is not None:
            tracks.add(int(get(td, "uuid")))
        te = get(p, "track_event")
        if te is None:
            continue
        iid = get(te, "name_iid")
        if iid is not None and int(iid) not in s["names"]:
            problems.append("packet %d: name iid %s used before it is defined on sequence %d"
                            % (i, iid, sid))
        track = int(get(te, "track_uuid", s["track"] or 0))
        if track not in tracks:
            problems.append("packet %d: event on undescribed track %d" % (i, track))
        kind = get(te, "type")
        if kind == "TYPE_SLICE_BEGIN":
            depth[track] = depth.get(track, 0) + 1
            counts["slices"] += 1
        elif kind == "TYPE_SLICE_END":
            if depth.get(track, 0) == 0:
                problems.append("packet %d: slice end with none open on track %d" % (i, track))
            else:
                depth[track] -= 1
        elif kind == "TYPE_INSTANT":
            counts["instants"] += 1
        elif kind == "TYPE_COUNTER":
            counts["counters"] += 1
        for fid in get_all(te, "flow_ids"):
            if fid in flows_open or fid in flows_done:
                problems.append("packet %d: flow %s starts twice" % (i, fid))
            flows_open.add(fid)
            counts["flows"] += 1
        for fid in get_all(te, "terminating_flow_ids"):
            if fid not in flows_open:
                problems.append("packet %d: flow %s ends but never started" % (i, fid))
            flows_open.discard(fid)
            flows_done.add(fid)

    for track, d in sorted(depth.items()):
        if d:
            problems.append("track %d: %d slice(s) never closed" % (track, d))
    for fid in sorted(flows_open)[:5]:
        problems.append("flow %s: started, never delivered nor marked undelivered" % fid)
    if len(packets) < min_packets:
        problems.append("%d packets, want at least %d" % (len(packets), min_packets))
    for line in problems[:20]:
        print("%s: %s" % (path, line))
    if problems:
        return 1
    print("%s: %d packets, %d sequences, %d tracks, %d slices, %d instants, %d counter values, "
          "%d flows: ok" % (path, len(packets), len(seqs), len(tracks), counts["slices"],
                            counts["instants"], counts["counters"], counts["flows"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
