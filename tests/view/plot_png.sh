#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kvmrec plot of the real QEMU 2.7 tpr recording, rendered by headless
# Chromium: the PNG is not blank, shows the lane bands and the red
# highlight of the double injection. Skips (77) without chromium.
set -u
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium is not installed (scripts/deps.sh installs it)"
	exit 77
fi
t=$(mktemp -d /tmp/kvmrec-view-png.XXXXXX)
trap 'rm -rf "$t"' EXIT
ONLY_QEMU27=1 . "$VIEW_TESTS/real_traces.sh"

"$KVMREC" plot "$t/q27.zst" -o "$t/q27.svg" || { echo "FAIL: plot failed"; exit 1; }
grep -q '>KVM_INTERRUPT 62<' "$t/q27.svg" || { echo "FAIL: the SVG has no KVM_INTERRUPT 62"; exit 1; }
timeout 50 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$t/profile" --screenshot="$t/q27.png" --window-size=1400,600 \
	"file://$t/q27.svg" >"$t/chromium.log" 2>&1
if [ ! -s "$t/q27.png" ]; then
	echo "FAIL: chromium wrote no screenshot: $(tail -3 "$t/chromium.log")"
	exit 1
fi
python3 "$VIEW_TESTS/check_png.py" "$t/q27.png" --lanes --red || exit 1
echo "PASS: plot renders with lanes and the highlighted double injection"
