#!/usr/bin/env bash
# kvmrec-vmm on bad input: each case must exit 2 with exactly one line on
# stderr that names the file or flag and the problem, before touching KVM.
#   bad_input.sh VMM SCRATCH_DIR
set -u
vmm=$1 dir=$2
mkdir -p "$dir"
fails=0

expect() {	# expect REGEX ARGS...
	local re=$1
	shift
	local err status
	err=$("$vmm" "$@" 2>&1 >/dev/null)
	status=$?
	printf '%s -> exit %s: %s\n' "$*" "$status" "$err"
	if [ "$status" != 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" != 1 ] ||
	   ! printf '%s\n' "$err" | grep -Eq -- "$re"; then
		echo "FAILED: want exit 2 and one line matching /$re/" >&2
		fails=$((fails + 1))
	fi
}

printf 'not an elf\n' > "$dir/text.elf"
head -c 40 /bin/true > "$dir/truncated.elf"
cp /bin/true "$dir/dynamic.elf"
# A 64-bit ELF header whose program headers point past the end of the file.
python3 - "$dir/badphdr.elf" <<'PY'
import struct, sys
eh = b'\x7fELF' + bytes([2, 1, 1]) + bytes(9)
eh += struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x100000, 4096, 0, 0, 64, 56, 3, 64, 0, 0)
open(sys.argv[1], 'wb').write(eh)
PY

expect "kvmrec-vmm: missing GUEST.elf"
expect "kvmrec-vmm: $dir/nonexistent.elf: No such file" "$dir/nonexistent.elf"
expect "kvmrec-vmm: $dir/text.elf: not an ELF file" "$dir/text.elf"
expect "kvmrec-vmm: $dir/truncated.elf: truncated ELF header" "$dir/truncated.elf"
expect "kvmrec-vmm: $dir/dynamic.elf: not a static executable" "$dir/dynamic.elf"
expect "kvmrec-vmm: $dir/badphdr.elf: program headers out of file bounds" "$dir/badphdr.elf"
expect "kvmrec-vmm: --policy qemu-9: unknown policy" --policy qemu-9 "$dir/text.elf"
expect "kvmrec-vmm: --smp 9: need 1 to 8" --smp 9 "$dir/text.elf"
expect "kvmrec-vmm: --smp 0: need 1 to 8" --smp 0 "$dir/text.elf"
expect "kvmrec-vmm: --bogus: unknown" --bogus "$dir/text.elf"
expect "kvmrec-vmm: more than one guest" "$dir/text.elf" "$dir/text.elf"
[ "$fails" = 0 ]
