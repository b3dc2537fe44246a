#!/bin/bash
# make demo: build what is needed, boot QEMU, and do what a virtual machine
# monitor does with a passed-through NVMe controller across a kexec Live
# Update: admin queues in guest memory (a memfd), one command before the
# kexec, the next one after it at the same queue positions without
# re-initializing the controller. Prints a short transcript with the time
# each step took; the last line says whether the device survived.
. "$(dirname "$0")/common.sh"

T0=$(date +%s)
step() { printf '[%4ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }
step "installing what is missing (make deps)"
"$TOP/scripts/deps.sh" >"$LOGS/demo-deps.log" 2>&1 || die "demo: deps failed, see $LOGS/demo-deps.log"
step "kernel tree (make tree)"
"$TOP/scripts/tree.sh" 2>&1 | sed 's/^/         /'
step "building the test kernel (make kernel: debug, KASAN, lockdep, kmemleak)"
"$TOP/scripts/kernel.sh" debug 2>&1 | sed 's/^/         /'

obj=$BUILD/kernel-debug
kernel=$obj/arch/x86/boot/bzImage
tests=$TREE/tools/testing/selftests/pci/liveupdate
work=$BUILD/demo
rm -rf "$work"
mkdir -p "$work/root"
if [ ! -f "$tests/lu_vfio.c" ]; then
	step "the series has no vfio-pci selftests yet: showing a LUO memfd instead"
	rc=0
	"$TOP/scripts/selftest.sh" >"$LOGS/demo-run.log" 2>&1 || rc=$?
	grep -aE '^LU-(STAGE|KEXEC|DONE)|\[STAGE [12]\]|TEST PASSED' "$LOGS/luo-memfd/serial.log" | sed 's/^/         guest: /'
	[ $rc = 0 ] && step "RESULT: the memfd survived the kexec" && exit 0
	step "RESULT: FAILED (logs: $LOGS/demo-run.log)"
	exit 1
fi
kmake "$obj" -s headers_install INSTALL_HDR_PATH="$obj/usr-hdr" >/dev/null
gcc -static -O2 -Wall -I"$obj/usr-hdr/include" -o "$work/root/lu_vfio" \
	"$tests/lu_vfio.c" "$tests/lu_nvme.c"
cp "$tests/lib.sh" "$work/root/"
cp "$TOP/scripts/guest/demo-run" "$work/root/run"
chmod +x "$work/root/run"
echo 2 >"$work/root/stages"
"$TOP/scripts/initramfs.sh" "$work/demo.cpio" "$kernel" "$work/root"
step "booting QEMU (TCG, q35, intel-iommu, 4 nvme): kernel 1, kexec, kernel 2"
t1=$(date +%s)
rc=0
"$TOP/scripts/qemu.sh" demo "$kernel" "$work/demo.cpio" 420 kunit.enable=0 >"$LOGS/demo-run.log" 2>&1 || rc=$?
serial=$LOGS/demo/serial.log
grep -a '^DEMO \[' "$serial" | sed 's/^DEMO /         /'
step "QEMU ran $(( $(date +%s) - t1 )) s; logs: $LOGS/demo/ (kernel-1.log, kernel-2.log)"
[ $rc = 0 ] || sed 's/^/         /' "$LOGS/demo-run.log"
if [ $rc = 0 ] && grep -q '^DEMO-RESULT survived' "$serial"; then
	step "RESULT: the device survived the Live Update: its controller kept its queues and completed the next command, found incoming, finished, FLB released"
else
	step "RESULT: the device did NOT survive the Live Update (see $serial)"
	exit 1
fi
