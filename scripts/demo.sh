#!/bin/bash
# make demo: build what is needed, boot QEMU, kexec with Live Update and
# print a short transcript. Until the vfio-pci handler exists, the demo
# shows a LUO memfd surviving the kexec.
. "$(dirname "$0")/common.sh"

T0=$(date +%s)
step() { printf '[%4ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }
step "installing what is missing (make deps)"
"$TOP/scripts/deps.sh" >"$LOGS/demo-deps.log" 2>&1 || die "demo: deps failed, see $LOGS/demo-deps.log"
step "kernel tree (make tree)"
"$TOP/scripts/tree.sh" | sed 's/^/         /'
step "building the test kernel (make kernel)"
"$TOP/scripts/kernel.sh" debug | sed 's/^/         /'
step "booting QEMU (TCG, q35, intel-iommu), preserving, kexec, retrieving"
rc=0
"$TOP/scripts/selftest.sh" >"$LOGS/demo-run.log" 2>&1 || rc=$?
serial=$LOGS/luo-memfd/serial.log
[ -f "$serial" ] || die "demo: no serial log, see $LOGS/demo-run.log"
grep -aE '^LU-(STAGE|KEXEC|DONE)|\[STAGE [12]\]|TEST PASSED|^(not )?ok ' "$serial" | grep -v 'END rc' | sed 's/^/         guest: /'
if [ $rc = 0 ] && grep -q 'TEST PASSED' "$serial"; then
	step "RESULT: the memfd and its content survived the kexec (log: $serial)"
else
	step "RESULT: FAILED, the memfd did not survive (logs: $LOGS/demo-run.log, $serial)"
	exit 1
fi
