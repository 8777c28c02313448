#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Records a newer recorder may write - a kernel event id this reader does not
# know with 12 args, known events with extra args, unknown fields, a record
# of an unknown kind, an unknown exit reason - are passed over by every
# command: each exits as it does on the same trace without them, and names
# nothing as damage. (export and diff --kernel once walked the argument-name
# table past its end on such an event.)
# Env: KVMREC, VIEW_SYNTH (set by ctest).
set -u
t=$(mktemp -d /tmp/kvmrec-view-future.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for policy in qemu-2.7 fixed; do
	"$VIEW_SYNTH" "$t/old.zst" $policy 1 >/dev/null
	"$VIEW_SYNTH" "$t/new.zst" $policy 1 --future >/dev/null
	"$KVMREC" dump "$t/new.zst" | grep -q "kevent id=40 .*arg11=10" ||
		fail "$policy: the synthetic trace lacks the unknown kernel event"
	while read -r name args; do
		for f in old new; do
			a=${args//TRACE/$t/$f.zst}
			a=${a//OUT/$t/$f.out}
			# shellcheck disable=SC2086
			"$KVMREC" $a >"$t/$f.stdout" 2>"$t/$f.err"
			eval "rc_$f=\$?"
		done
		# shellcheck disable=SC2154
		[ "$rc_new" = "$rc_old" ] ||
			fail "$policy: $name exits $rc_new with the newer records, $rc_old without: $(head -c 300 "$t/new.err")"
		[ "$rc_new" -lt 128 ] || fail "$policy: $name died of signal $((rc_new - 128))"
		if grep -qiE "corrupt|truncated|damage" "$t/new.err"; then
			fail "$policy: $name calls the newer records damage: $(cat "$t/new.err")"
		fi
	done <<'CMDS'
dump dump TRACE
stat stat TRACE
stat-json stat --json TRACE
replay replay TRACE --check-once
replay-json replay TRACE --check-once --json
bisect bisect TRACE
diff diff TRACE TRACE
diff-kernel diff --kernel TRACE TRACE
export export --format chrome-json TRACE -o OUT
plot plot TRACE -o OUT
plot-around plot TRACE --around 40 --all-events -o OUT
CMDS
done

[ "$fails" = 0 ] || exit 1
echo "cli_future: every command passes over records it does not know"
