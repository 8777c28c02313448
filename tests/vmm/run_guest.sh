#!/usr/bin/env bash
# One guest scenario: run kvmrec-vmm, check its exit status and that its
# output (stdout + stderr) matches a pattern.
#   run_guest.sh STATUS REGEX VMM [VMM ARGS...]
# Exits 0 if both match, 1 if not, 77 (skip) when /dev/kvm is unusable.
set -u
want_status=$1 want_re=$2
shift 2
if [ ! -e /dev/kvm ]; then
	echo "skip: /dev/kvm is missing: kvmrec-vmm needs KVM" >&2
	exit 77
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "skip: /dev/kvm is not readable and writable by $(id -un)" >&2
	exit 77
fi
out=$(timeout 60 "$@" 2>&1)
status=$?
printf '%s\n' "$out"
echo "-- $* -> exit $status (want $want_status, output matching /$want_re/)"
if [ "$status" != "$want_status" ]; then
	echo "FAILED: exit status $status, want $want_status" >&2
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$want_re"; then
	echo "FAILED: output does not match /$want_re/" >&2
	exit 1
fi
exit 0
