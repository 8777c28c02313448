# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the real-recording view tests: puts the tpr guest's recordings
# in $t: $t/q27.zst (QEMU 2.7 rule) and $t/fix.zst (fixed rule), plus two
# recordings of the deterministic pio-loop guest, $t/loop1.zst and
# $t/loop2.zst, recorded live with kvmrec-vmm when /dev/kvm works, else the
# tpr ones are taken from corpus/ (and the loop ones are absent). Exits 77 with the reason when neither
# is possible. ONLY_QEMU27=1: just $t/q27.zst. Env: KVMREC, KVMREC_VMM,
# TPR_ELF, PIO_ELF, CORPUS.
LIVE=
record() {   # record POLICY OUT
	"$KVMREC" record --run-times -o "$2" -- "$KVMREC_VMM" --policy "$1" "$TPR_ELF" >"$t/$1.log" 2>&1
	local rc=$?
	# The guest's exit code is its verdict (1: a handler ran twice); the trace must exist.
	if [ ! -s "$2" ]; then
		echo "FAIL: kvmrec record --policy $1 wrote no trace (exit $rc): $(tail -3 "$t/$1.log")"
		exit 1
	fi
}
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -x "${KVMREC_VMM:-}" ] && [ -f "${TPR_ELF:-}" ] &&
	"$KVMREC_VMM" --help >/dev/null 2>&1; then
	record qemu-2.7 "$t/q27.zst"
	if [ -z "${ONLY_QEMU27:-}" ]; then
		record fixed "$t/fix.zst"
		# The tpr guest is not deterministic on kvm-pvm (its TPR-access
		# reports land at varying exits); a port-write loop is.
		for n in 1 2; do
			"$KVMREC" record -o "$t/loop$n.zst" -- "$KVMREC_VMM" --loops 500 "$PIO_ELF" \
				>"$t/loop$n.log" 2>&1 || { echo "FAIL: recording pio-loop: $(tail -3 "$t/loop$n.log")"; exit 1; }
		done
	fi
	LIVE=1
	echo "recorded the tpr guest live"
else
	q=$(ls "$CORPUS"/*tpr*qemu-2.7*.zst 2>/dev/null | head -1)
	f=$(ls "$CORPUS"/*tpr*fixed*.zst 2>/dev/null | head -1)
	if [ -z "$q" ] || [ -z "$f" ]; then
		echo "SKIP: no usable /dev/kvm or kvmrec-vmm to record with, and no tpr recordings in $CORPUS"
		exit 77
	fi
	cp "$q" "$t/q27.zst"
	cp "$f" "$t/fix.zst"
	echo "using corpus recordings $q and $f"
fi
