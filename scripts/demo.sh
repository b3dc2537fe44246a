#!/bin/bash
# make demo: build what is needed, boot QEMU, and do what a virtual machine
# monitor does with a passed-through NVMe controller across a kexec Live
# Update: admin queues in guest memory (a memfd), one command before the
# kexec, the next one after it at the same queue positions without
# re-initializing the controller. A second controller, whose DMA is kept
# running through the kexec, has a read in flight at the kexec that
# completes while the next kernel boots. Prints a short transcript with the
# time each step took; the last line says whether the devices survived.
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
work=$BUILD/demo-guest
rm -rf "$work"
mkdir -p "$work/demo"
kmake "$obj" -s headers_install INSTALL_HDR_PATH="$obj/usr-hdr" >/dev/null
gcc -static -O2 -Wall -I"$obj/usr-hdr/include" -I"$tests/../.." \
	-I"$tests/../../liveupdate/lib/include" -o "$work/demo/lu_vfio" \
	"$tests/lu_vfio.c" "$tests/lu_nvme.c" "$tests/lu_dma.c" \
	"$tests/../../liveupdate/lib/lu_utils.c"
cp "$tests/lib.sh" "$work/demo/"
cp "$TOP/scripts/guest/demo-run" "$work/demo/run"
chmod +x "$work/demo/run"
echo 2 >"$work/demo/stages"
# The second controller's namespace: 1 MiB of the pattern lu_dma.c checks,
# which the guest has the host throttle to 128 bytes/s once it is up (not
# at boot: the firmware's reads of it would still be going on while Linux
# sets its interrupts up).
"$work/demo/lu_vfio" drive-image $((1 << 20)) >"$work/dma.img"
{
	echo '#!/bin/bash'
	printf 'exec %q "$@"' "${QEMU:-qemu-system-x86_64}"
	printf ' %q' -device nvme,serial=lu-dma,addr=0a.0,drive=dma-a \
		-drive "file=$work/dma.img,if=none,id=dma-a,format=raw"
	echo
} >"$work/qemu"
chmod +x "$work/qemu"
step "booting QEMU (TCG, q35, intel-iommu, 5 nvme): kernel 1, kexec, kernel 2"
t1=$(date +%s)
rc=0
QEMU=$work/qemu boot_guest "$kernel" "$work/demo" 480 >"$LOGS/demo-run.log" 2>&1 || rc=$?
serial=$LOGS/demo/serial.log
grep -a '^DEMO \[' "$serial" | sed 's/^DEMO /         /'
step "QEMU ran $(( $(date +%s) - t1 )) s; logs: $LOGS/demo/ (kernel-1.log, kernel-2.log)"
[ $rc = 0 ] || sed 's/^/         /' "$LOGS/demo-run.log"
if [ $rc = 0 ] && grep -q '^DEMO-RESULT survived' "$serial"; then
	step "RESULT: the devices survived the Live Update: one controller kept its queues and completed the next command, found incoming, finished, FLB released; the other completed across the kexec the read it had in flight"
else
	step "RESULT: the devices did NOT survive the Live Update (see $serial)"
	exit 1
fi
