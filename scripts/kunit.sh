#!/bin/bash
# Run the series' KUnit suites: built into the debug test kernel, booted
# under TCG QEMU by the selftests' vmtest.sh (the kunit.py run below uses
# a kernel without KASAN: its 1 GiB guest is too small for KHO with
# KASAN), KTAP parsed by kunit.py.
. "$(dirname "$0")/common.sh"

obj=$BUILD/kernel-debug
kernel=$obj/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "kunit: no test kernel, run make kernel"
# The debug kernel (tinyconfig and configs/) has no KUnit suite but the
# series'. Without KUNIT_FILTER all of them run, and each of $suites must
# have run; with it, only what it picks runs, and that check is off.
suites="pci_liveupdate pci_liveupdate_parse pci_liveupdate_race pci_liveupdate_fabric
	kexec_handover_hold intel_iommu_liveupdate"
glob=${KUNIT_FILTER:-*}
work=$BUILD/kunit-guest/kunit
mkdir -p "$work"
printf '#!/bin/sh\nexit 0\n' >"$work/run"
chmod +x "$work/run"
# counts <kunit.py output>: sets line, passed, failed (crashed and errors
# included) and skipped from its "Testing complete" line.
counts() {
	line=$(sed -e 's/\x1b\[[0-9;]*m//g' "$1" | grep -E 'Testing complete\. Ran [0-9]+ tests' | tail -n1 || true)
	local n f=0
	for n in failed crashed errors; do
		f=$(( f + $(echo "$line" | sed -n "s/.*$n: \([0-9]*\).*/\1/p" | grep . || echo 0) ))
	done
	failed=$f
	passed=$(echo "$line" | sed -n 's/.*passed: \([0-9]*\).*/\1/p' | grep . || echo 0)
	skipped=$(echo "$line" | sed -n 's/.*skipped: \([0-9]*\).*/\1/p' | grep . || echo 0)
}
t0=$(date +%s)
rc=0
boot_guest "$kernel" "$work" "${KUNIT_TIMEOUT:-900}" kunit.enable=1 "kunit.filter_glob=$glob" \
	>"$LOGS/kunit-boot.txt" 2>&1 || rc=$?
serial=$LOGS/kunit/serial.log
python3 "$TREE/tools/testing/kunit/kunit.py" parse "$serial" >"$LOGS/kunit.txt" 2>&1 || true
sed -e 's/\x1b\[[0-9;]*m//g' "$LOGS/kunit.txt" | grep -E '^\[[0-9:]+\] ' | sed 's/^\[[0-9:]*\] //' >"$LOGS/kunit.summary" || true
cat "$LOGS/kunit.summary"
counts "$LOGS/kunit.txt"
# A missing test is a failure: the option must be in the test kernel, and
# its suites must run.
if ! grep -q '^CONFIG_PCI_LIVEUPDATE_KUNIT_TEST=y' "$obj/.config"; then
	echo "kunit: the test kernel lacks CONFIG_PCI_LIVEUPDATE_KUNIT_TEST=y" >&2
	failed=$((failed + 1))
elif [ -z "$line" ] || echo "$line" | grep -q 'Ran 0 tests'; then
	echo "kunit: the kernel has the series' suites but no test ran, see $LOGS/kunit.txt" >&2
	failed=$((failed + 1))
elif [ -z "${KUNIT_FILTER:-}" ]; then
	for s in $suites; do
		tr -d '\r' <"$serial" | grep -aE "(^|\] )(not )?ok [0-9]+ $s( |\$)" >/dev/null &&
			continue
		echo "kunit: the suite $s did not run, see $serial" >&2
		failed=$((failed + 1))
	done
fi
# Skips are counted as such, never as passes, and each shows its reason.
if [ "$skipped" != 0 ]; then
	echo "kunit: $skipped skipped:" >&2
	sed -e 's/\x1b\[[0-9;]*m//g' "$LOGS/kunit.txt" | grep -E 'SKIPPED' >&2 || true
fi
[ $rc = 0 ] || failed=$((failed + 1))

# The same suites as a kernel developer runs them: kunit.py with the
# series' .kunitconfig files (drivers/pci, kernel/liveupdate,
# drivers/iommu/intel), a small kernel without the debug options, under
# TCG.
# KHO is off unless the command line asks for it (most cases skip then),
# and the guest has one CPU unless QEMU is given more (the race cases skip).
# kunit.py starts QEMU with "-accel kvm -accel hvf -accel tcg". On this
# machine kind /dev/kvm opens but its guests hang, and kunit.py waits for
# its timeout: a qemu-system-x86_64 first in its PATH drops every
# accelerator but TCG.
qemu=$(command -v "${QEMU:-qemu-system-x86_64}") || die "kunit: no QEMU"
qbin=$BUILD/kunit-bin
mkdir -p "$qbin"
cat >"$qbin/qemu-system-x86_64" <<EOF
#!/bin/bash
# make kunit: kunit.py's QEMU, with TCG only (scripts/kunit.sh)
args=()
while [ \$# -gt 0 ]; do
	if [ "\$1" = -accel ] && [ "\${2:-}" != tcg ]; then
		shift 2
		continue
	fi
	args+=("\$1")
	shift
done
exec "$qemu" "\${args[@]}"
EOF
chmod +x "$qbin/qemu-system-x86_64"
# kunitpy <name> <log> <kunit.py run arguments>: one kunit.py run, its
# counts added to the totals.
kunitpy() {
	local name=$1 py=$2 t1 tp=$passed tf=$failed ts=$skipped
	shift 2
	t1=$(date +%s)
	(cd "$TREE" && PATH="$qbin:$PATH" python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
		--make_options "CC=ccache gcc" --jobs "$JOBS" --timeout 600 "$@") >"$py" 2>&1 || true
	counts "$py"
	if [ -z "$line" ] || echo "$line" | grep -q 'Ran 0 tests'; then
		echo "kunit: kunit.py ran no test, see $py" >&2
		failed=$((failed + 1))
	fi
	note "kunit: kunit.py ($name): $passed passed, $failed failed, $skipped skipped in $(( $(date +%s) - t1 )) s ($py)"
	passed=$((tp + passed)) failed=$((tf + failed)) skipped=$((ts + skipped))
}
kunitpy "drivers/pci, kernel/liveupdate, drivers/iommu/intel" "$LOGS/kunit-py.txt" \
	--kunitconfig=drivers/pci --kunitconfig=kernel/liveupdate \
	--kunitconfig=drivers/iommu/intel --build_dir="$BUILD/kunit-py" \
	--kernel_args kho=on --qemu_args "-smp 2"
# The generic page table's copy op, on every format, in generic_pt's own
# kernel (with one CPU: its suites count page table pages globally). The
# other cases of its suites test code the series does not change.
kunitpy "drivers/iommu/generic_pt, test_copy" "$LOGS/kunit-pt.txt" \
	--kunitconfig=drivers/iommu/generic_pt --build_dir="$BUILD/kunit-pt" \
	'*_iommu_test.test_copy'
echo "$passed passed, $failed failed, $skipped skipped" >"$LOGS/kunit.totals"
note "kunit: $passed passed, $failed failed, $skipped skipped in $(( $(date +%s) - t0 )) s (KTAP in $serial)"
[ "$failed" = 0 ]
