#!/usr/bin/env bash
# Installs the Debian packages kvmrec builds, tests and demos with. Only
# missing packages are installed, so a machine that has them all needs no
# network. Run as root (or with sudo available).
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config
  libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libzstd-dev zstd
  libtracefs-dev libtraceevent-dev libtracecmd-dev trace-cmd libcmocka-dev
  clang libclang-rt-14-dev
  libbpf-dev bpftool llvm
  qemu-system-x86 strace python3 scdoc dpkg-dev file
)
if [ "${KVMREC_WITH_CHROMIUM:-1}" = 1 ]; then
  pkgs+=(chromium)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
