#!/usr/bin/env bash
# The main job: record the built-in VMM running the seed scenario (guest
# `tpr`) under the QEMU 2.7 injection rule and under the fixed rule, replay
# both with --check-once and print the verdicts, bisect the failing one and
# draw its violation.
# From the source tree: scripts/demo.sh BUILD_DIR (make demo). Installed, as
# <prefix>/share/kvmrec/demo.sh [OUT_DIR]: the binaries are <prefix>/bin's and
# the guest is next to this script (docs/install.md).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/guests/tpr.elf" ]; then
  kvmrec=$here/../../bin/kvmrec vmm=$here/../../bin/kvmrec-vmm guest=$here/guests/tpr.elf
  out=${1:-kvmrec-demo}
else
  b=${1:-build}
  kvmrec=$b/kvmrec vmm=$b/kvmrec-vmm guest=$b/guests/tpr.elf
  out=$b/demo
fi
mkdir -p "$out"
rm -f "$out"/tpr-*.zst

if [ ! -e /dev/kvm ]; then
  echo "demo: /dev/kvm is missing: cannot run the built-in VMM here" >&2
  exit 2
fi

declare -A verdict
for policy in qemu-2.7 fixed; do
  t=$out/tpr-$policy.zst
  echo "== record: kvmrec-vmm --policy $policy $guest -> $t"
  "$kvmrec" record --run-times -o "$t" -- "$vmm" --policy "$policy" "$guest"
  echo "   (guest exit status $?)"
  echo "== replay --check-once $t"
  "$kvmrec" replay "$t" --check-once
  rc=$?
  echo "   verdict exit status $rc"
  verdict[$policy]=$rc
done
echo "== bisect $out/tpr-qemu-2.7.zst"
"$kvmrec" bisect "$out/tpr-qemu-2.7.zst"
echo "== plot of the violation -> $out/tpr-qemu-2.7.svg"
"$kvmrec" plot "$out/tpr-qemu-2.7.zst" -o "$out/tpr-qemu-2.7.svg"

# The demo is right when the QEMU 2.7 rule is caught and the fixed one passes.
if [ "${verdict[qemu-2.7]}" = 1 ] && [ "${verdict[fixed]}" = 0 ]; then
  echo "demo: OK: double injection found under qemu-2.7 (exit 1), fixed passes (exit 0)"
  exit 0
fi
echo "demo: UNEXPECTED: replay exited ${verdict[qemu-2.7]} for qemu-2.7 (want 1) and ${verdict[fixed]} for fixed (want 0)" >&2
exit 1
