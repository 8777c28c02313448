#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every option that takes a value, of every kvmrec subcommand, through the
# real binary: --opt=value and --opt value (and -o value, -ovalue for a short
# one) give the same exit status, the same stdout and stderr, and the same
# files. Each case is chosen so that a value not taken would show: a
# different output, exit status or error line. The cases are checked
# against each command's --help: a value option it lists without a case
# here fails the test.
# Usage: opt_forms.sh KVMREC CORPUS WORKDIR
set -u
kvmrec=$1 corpus=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
fail=0
declare -A covered
q27=$corpus/vmm-tpr-qemu27.zst
fixed=$corpus/vmm-tpr-fixed.zst

# What one run of form N left: exit status, stdout, stderr, and its files
# (a trace by its dump: two traces of one input differ only in their id).
snapshot() { # snapshot DIR
	local d=$1 f
	echo "exit $(cat "$d/.rc")"
	echo "--- stdout"; sed "s|$d|DIR|g" "$d/.out"
	echo "--- stderr"; sed "s|$d|DIR|g" "$d/.err"
	for f in "$d"/*; do
		[ -e "$f" ] || continue
		echo "--- file ${f##*/}"
		case $f in
		*.zst) "$kvmrec" dump "$f" 2>&1 | grep -v '^# trace_id:' | sed "s|$d|DIR|g" ;;
		*) sed "s|$d|DIR|g" "$f" ;;
		esac
	done
}

# forms CMD OPT VALUE ARGS... : runs `kvmrec CMD ARGS` once per form of OPT
# VALUE, put where ARGS says @OPT@, each in a directory of its own (the
# current one) holding a file exists.zst; all runs must leave the same.
forms() {
	local cmd=$1 opt=$2 value=$3 variants i a ok=1
	shift 3
	covered["$cmd $opt"]=1
	case $opt in
	--*) variants=("$opt=$value" "$opt"$'\n'"$value") ;;
	*) variants=("$opt"$'\n'"$value" "$opt$value") ;;
	esac
	for i in "${!variants[@]}"; do
		local d=$work/$cmd${opt//-/_}.$i argv=()
		mkdir -p "$d"
		echo "not a trace" >"$d/exists.zst"
		for a in "$@"; do
			if [ "$a" = @OPT@ ]; then
				mapfile -t -O ${#argv[@]} argv <<<"${variants[$i]}"
			else
				argv+=("$a")
			fi
		done
		(cd "$d" && "$kvmrec" "$cmd" "${argv[@]}" >.out 2>.err; echo $? >.rc)
		snapshot "$d" >"$d.snap"
		if [ "$i" != 0 ] && ! cmp -s "$work/$cmd${opt//-/_}.0.snap" "$d.snap"; then
			echo "FAIL: kvmrec $cmd ${variants[0]//$'\n'/ } and ${variants[$i]//$'\n'/ } differ:"
			diff "$work/$cmd${opt//-/_}.0.snap" "$d.snap" | head -20
			fail=1 ok=0
		fi
	done
	# The case must show the value taken: a run without the option differs.
	local d=$work/$cmd${opt//-/_}.none argv=()
	mkdir -p "$d"
	echo "not a trace" >"$d/exists.zst"
	for a in "$@"; do
		[ "$a" = @OPT@ ] || argv+=("$a")
	done
	(cd "$d" && timeout 60 "$kvmrec" "$cmd" "${argv[@]}" >.out 2>.err; echo $? >.rc)
	snapshot "$d" >"$d.snap"
	if cmp -s "$work/$cmd${opt//-/_}.0.snap" "$d.snap"; then
		echo "FAIL: kvmrec $cmd $opt $value: the case does not show whether the value was taken"
		fail=1 ok=0
	fi
	[ $ok = 1 ] && echo "kvmrec $cmd $opt: ${#variants[@]} forms alike (exit $(cat "$work/$cmd${opt//-/_}.0/.rc"))"
}

# record: every case stops before a VMM runs, on the value it was given.
forms record --output exists.zst --no-kernel-events @OPT@ -- /bin/true
forms record -o exists.zst --no-kernel-events @OPT@ -- /bin/true
forms record --ring-size 1T @OPT@ -o exists.zst -- /bin/true
forms record --preload missing.so --no-kernel-events @OPT@ -o new.zst -- /bin/true
forms record --backend ebpf @OPT@ -o exists.zst -- /bin/true
forms record --pid 12ab @OPT@ -o new.zst
forms record --duration -1 @OPT@ --pid 1 -o new.zst
forms replay --model qemu-fixed "$q27" @OPT@
forms bisect --model qemu-fixed "$q27" @OPT@
forms diff --context 0 "$q27" "$fixed" @OPT@
forms diff -C 0 "$q27" "$fixed" @OPT@
forms diff --inputs report "$corpus/qemu72-kut-smptest-run1.zst" "$corpus/qemu72-kut-smptest-run2.zst" @OPT@
forms import --output out.zst "$corpus/seed-2016-eventinj.txt" @OPT@
forms import -o out.zst "$corpus/seed-2016-eventinj.txt" @OPT@
forms export --format chrome-json "$q27" @OPT@ -o out.json
forms export --output out.pftrace --format perfetto "$q27" @OPT@
forms export -o out.pftrace --format perfetto "$q27" @OPT@
forms plot --around 100 "$q27" @OPT@ -o out.svg
forms plot --model nonsense "$q27" @OPT@ -o out.svg
forms plot --before 3 "$q27" @OPT@ -o out.svg
forms plot --after 3 "$q27" @OPT@ -o out.svg
forms plot --output out.svg "$q27" @OPT@
forms plot -o out.svg "$q27" @OPT@

# Every value option each --help lists has a case above.
cmds=$("$kvmrec" --help | sed -n 's/^  kvmrec \([a-z]*\).*/\1/p' | sort -u)
[ -n "$cmds" ] || { echo "FAIL: kvmrec --help lists no commands"; fail=1; }
n=0
long_re='^  (-([A-Za-z]), )?(--[a-z-]+) [A-Z][A-Za-z0-9.]*  '
short_re='^  -([A-Za-z]) [A-Z][A-Za-z0-9.]*  '
for c in $cmds; do
	while IFS= read -r line; do
		opts=()
		if [[ $line =~ $long_re ]]; then
			opts=("${BASH_REMATCH[3]}")
			[ -n "${BASH_REMATCH[2]}" ] && opts+=("-${BASH_REMATCH[2]}")
		elif [[ $line =~ $short_re ]]; then
			opts=("-${BASH_REMATCH[1]}")
		fi
		for o in "${opts[@]}"; do
			n=$((n + 1))
			[ -n "${covered["$c $o"]:-}" ] ||
				{ echo "FAIL: kvmrec $c $o takes a value but has no case here"; fail=1; }
		done
	done < <("$kvmrec" "$c" --help)
done
[ "$n" -ge 20 ] || { echo "FAIL: only $n value options found in the --help texts"; fail=1; }
[ $fail = 0 ] && echo "opt_forms: $n value options of $(echo $cmds | wc -w) commands, every form alike"
exit $fail
