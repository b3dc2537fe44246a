#!/bin/bash
# make bench: the PCI Live Update benchmark (KUnit suite
# pci_liveupdate_bench) in the non-debug kernel, booted under TCG QEMU.
# Prints its table; a benchmark, not a test.
. "$(dirname "$0")/common.sh"

src=$BUILD/bisect-src
[ -e "$src/.git" ] || die "bench: run make bisect first (it builds the non-debug kernel)"
git -C "$src" checkout -q --detach "$(git -C "$TREE" rev-parse HEAD)"
SRC=$src "$TOP/scripts/kernel.sh" plain
kernel=$BUILD/kernel-plain/arch/x86/boot/bzImage
work=$BUILD/bench-guest/bench
mkdir -p "$work"
printf '#!/bin/sh\nexit 0\n' >"$work/run"
chmod +x "$work/run"
rc=0
boot_guest "$kernel" "$work" 1200 kunit.enable=1 "kunit.filter_glob=pci_liveupdate_bench*" || rc=$?
grep -a 'bench' "$LOGS/bench/serial.log" | grep -v 'Command line' | sed 's/^\[ *[0-9.]*\] *//' | tee "$LOGS/bench.txt"
[ $rc = 0 ]
