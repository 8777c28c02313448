#!/usr/bin/env bash
# One corpus entry against its .expect: import it first if it is ftrace
# text or a trace-cmd .dat, replay it with the expected arguments, compare
# the exit status and the key lines. Usage: corpus_check.sh KVMREC EXPECT WORKDIR
set -u
kvmrec=$1 expect=$2 work=$3
dir=$(dirname "$expect")
input=$(sed -n 's/^input: //p' "$expect")
args=$(sed -n 's/^args: //p' "$expect")
want=$(sed -n 's/^exit: //p' "$expect")
cmd=$(sed -n 's/^command: //p' "$expect")
cmd=${cmd:-replay}
[ -n "$input" ] && [ -n "$want" ] || { echo "$expect: needs 'input:' and 'exit:' lines"; exit 1; }
mkdir -p "$work"
trace="$dir/$input"
case "$input" in
*.txt | *.dat)
	trace="$work/$(basename "$input" .txt).zst"
	imported=$("$kvmrec" import "$dir/$input" -o "$trace" --force 2>&1) ||
		{ echo "$imported"; echo "import of $input failed"; exit 1; }
	;;
esac
# shellcheck disable=SC2086
out=$("$kvmrec" "$cmd" "$trace" $args 2>&1)
got=$?
out="${imported:-}${imported:+
}$out"
echo "$out"
fail=0
if [ "$got" != "$want" ]; then
	echo "FAIL: $input: exit $got, expected $want"
	fail=1
fi
while IFS= read -r line; do
	if ! grep -qF -- "$line" <<<"$out"; then
		echo "FAIL: $input: missing line: $line"
		fail=1
	fi
done < <(sed -n 's/^contains: //p' "$expect")
while IFS= read -r line; do
	if grep -qF -- "$line" <<<"$out"; then
		echo "FAIL: $input: unexpected line: $line"
		fail=1
	fi
done < <(sed -n 's/^absent: //p' "$expect")
exit $fail
