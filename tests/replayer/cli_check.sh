#!/usr/bin/env bash
# The replay/import/bisect command line as a user meets it: --help, bad
# flags, missing and damaged files (one line on stderr naming the file,
# exit 2), and determinism (two replays, byte-identical output).
# Usage: cli_check.sh KVMREC CORPUS_DIR WORKDIR
set -u
kvmrec=$1 corpus=$2 work=$3
mkdir -p "$work"
fail=0
check() { # check WANT_EXIT DESCRIPTION -- CMD...
	local want=$1 what=$2; shift 3
	"$@" >"$work/out" 2>"$work/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: $what: exit $got, expected $want"; cat "$work/out" "$work/err"; fail=1
	fi
}
one_line_naming() { # one_line_naming WHAT NAME
	if [ "$(wc -l <"$work/err")" != 1 ] || ! grep -qF -- "$2" "$work/err"; then
		echo "FAIL: $1: stderr is not one line naming $2:"; cat "$work/err"; fail=1
	fi
}

for c in replay bisect import; do
	check 0 "$c --help" -- "$kvmrec" "$c" --help
	grep -q "^usage: kvmrec $c" "$work/out" || { echo "FAIL: $c --help has no usage"; fail=1; }
	check 2 "$c --bogus" -- "$kvmrec" "$c" --bogus
	one_line_naming "$c --bogus" "--bogus"
	check 2 "$c without file" -- "$kvmrec" "$c"
done

check 2 "replay missing file" -- "$kvmrec" replay "$work/nope.zst" --check-once
one_line_naming "replay missing file" "$work/nope.zst"
check 2 "bisect missing file" -- "$kvmrec" bisect "$work/nope.zst"
one_line_naming "bisect missing file" "$work/nope.zst"
check 2 "import missing file" -- "$kvmrec" import "$work/nope.txt" -o "$work/x.zst"
one_line_naming "import missing file" "$work/nope.txt"
echo "no events here" >"$work/prose.txt"
check 2 "import of prose" -- "$kvmrec" import "$work/prose.txt" -o "$work/x.zst"
one_line_naming "import of prose" "$work/prose.txt"
check 2 "replay --model bogus" -- "$kvmrec" replay "$work/nope.zst" --model bogus
one_line_naming "replay --model bogus" "bogus"

printf 'not a trace at all, just text\n' >"$work/garbage.zst"
check 2 "replay of garbage" -- "$kvmrec" replay "$work/garbage.zst" --check-once
one_line_naming "replay of garbage" "$work/garbage.zst"

# The seed, imported; then damaged: cut in the middle of its one frame.
check 0 "import seed" -- "$kvmrec" import "$corpus/seed-2016-eventinj.txt" -o "$work/seed.zst" --force
size=$(stat -c %s "$work/seed.zst")
head -c $((size - 40)) "$work/seed.zst" >"$work/cut.zst"
check 2 "replay of a truncated trace" -- "$kvmrec" replay "$work/cut.zst" --check-once
one_line_naming "replay of a truncated trace" "$work/cut.zst"

# A recording in which no VM ever ran (`kvmrec record -- /bin/true`): nothing
# was checked, so undecided with the reason named, never a vacuous PASS.
rm -f "$work/true.zst"
if "$kvmrec" record -o "$work/true.zst" -- /bin/true >/dev/null 2>&1; then
	check 125 "check-once of a trace without KVM_RUN" -- "$kvmrec" replay "$work/true.zst" --check-once
	grep -q "undecided: no KVM_RUN in the trace" "$work/out" ||
		{ echo "FAIL: no KVM_RUN: the undecided item is not named"; cat "$work/out"; fail=1; }
	rm -f "$work/true.zst"
fi

# Determinism: the same trace, the same bytes, in every output form.
for args in "--check-once" "--check-once --json" "--model qemu-2.7"; do
	# shellcheck disable=SC2086
	"$kvmrec" replay "$work/seed.zst" $args >"$work/a" 2>&1
	# shellcheck disable=SC2086
	"$kvmrec" replay "$work/seed.zst" $args >"$work/b" 2>&1
	cmp -s "$work/a" "$work/b" || { echo "FAIL: replay $args differs between runs"; fail=1; }
done
# --json is valid JSON whatever the bytes of a name in it (a Latin-1 file name
# is not UTF-8): the one escaper, trace/json_out.c.
odd="$work/caf$(printf '\351')-$(printf '\303\274').zst"
cp "$work/seed.zst" "$odd"
"$kvmrec" replay --check-once --json "$odd" >"$work/a" 2>/dev/null
python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$work/a" ||
	{ echo "FAIL: replay --json with a non-UTF-8 file name is not valid JSON"; fail=1; }
rm -f "$odd"
"$kvmrec" bisect "$work/seed.zst" >"$work/a" 2>&1
"$kvmrec" bisect "$work/seed.zst" >"$work/b" 2>&1
cmp -s "$work/a" "$work/b" || { echo "FAIL: bisect differs between runs"; fail=1; }
[ $fail = 0 ] && echo "replay/import/bisect command line: all checks passed"
exit $fail
