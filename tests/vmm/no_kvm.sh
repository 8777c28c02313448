#!/usr/bin/env bash
# kvmrec-vmm on a machine without /dev/kvm: hide it in a private mount
# namespace and expect one line naming /dev/kvm and exit status 2.
#   no_kvm.sh VMM GUEST
set -u
vmm=$1 guest=$2
if ! unshare -m true 2>/dev/null; then
	echo "skip: cannot create a mount namespace (need root) to hide /dev/kvm" >&2
	exit 77
fi
out=$(unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" "$1"' "$vmm" "$guest" 2>&1)
status=$?
printf '%s\n' "$out"
[ "$status" = 2 ] || { echo "FAILED: exit $status, want 2" >&2; exit 1; }
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "FAILED: want exactly one line" >&2; exit 1; }
printf '%s\n' "$out" | grep -q '^kvmrec-vmm: /dev/kvm: ' || { echo "FAILED: line does not name /dev/kvm" >&2; exit 1; }
exit 0
