#!/bin/bash
# Run the kexec selftests in QEMU with the debug test kernel: the base
# tree's LUO memfd test (tools/testing/selftests/liveupdate), then the
# series' own tests from tools/testing/selftests/pci/liveupdate/.
. "$(dirname "$0")/common.sh"

obj=$BUILD/kernel-debug
kernel=$obj/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "selftest: no test kernel, run make kernel"
hdr=$obj/usr-hdr
kmake "$obj" -s headers_install INSTALL_HDR_PATH="$hdr" >/dev/null
VMTEST=$TREE/tools/testing/selftests/pci/liveupdate/vmtest.sh
[ -x "$VMTEST" ] || die "selftest: the series has no $VMTEST"

work=$BUILD/selftest
rm -rf "$work"
mkdir -p "$work"
results=$LOGS/selftest.ktap
: >"$results"
pass=0 failn=0 skipn=0
record() {	# record <ok|not ok|skip> <description>
	case $1 in
	ok) pass=$((pass + 1)) ;;
	skip) skipn=$((skipn + 1)) ;;
	*) failn=$((failn + 1)) ;;
	esac
	echo "${1/skip/ok} $((pass + failn + skipn)) $2" | tee -a "$results"
}

# The non-debug kernel of make bisect (vfio-pci as a module) at the tip,
# with its modules installed under $work/modules.
plain_kernel() {
	local src=$BUILD/bisect-src
	[ -e "$src/.git" ] || git -C "$TREE" worktree add -q --detach "$src" HEAD
	git -C "$src" checkout -q --detach "$(git -C "$TREE" rev-parse HEAD)"
	SRC=$src "$TOP/scripts/kernel.sh" plain >&2
	rm -rf "$work/modules"
	make -s -C "$src" O="$BUILD/kernel-plain" INSTALL_MOD_PATH="$work/modules" modules_install >&2
}

# vmtest <vmtest.sh arguments>: run the tree's runner, which boots each
# test once (a failure is a failure, never retried), and record its KTAP:
# each subtest as "<test>: <result>", a skipped test as skipped.
vmtest() {
	local line name=
	while IFS= read -r line; do
		case $line in
		"# "*": "*" kernel(s) in "*) name=${line#\# }; name=${name%%:*}; echo "$line" ;;
		"  ok "*"# SKIP"*) record skip "$name: ${line#  ok * }" ;;
		"  ok "*" run clean") record ok "$name: kexec run clean" ;;
		"  not ok "*" run clean") record "not ok" "$name: kexec run (see $LOGS/$name)" ;;
		"  ok "*) record ok "$name: ${line#  ok * }" ;;
		"  not ok "*) record "not ok" "$name: ${line#  not ok * }" ;;
		"ok "*"# SKIP"*) record skip "${line#ok * }" ;;
		"# "*) echo "$line" ;;
		"Bail out!"*) note "selftest: vmtest.sh: $line"; cat "$work/vmtest.err" >&2 ;;
		esac
	done < <("$VMTEST" -o "$LOGS" -H "$hdr" "$@" 2>"$work/vmtest.err" | tee -a "$work/vmtest.out")
}

# The base tree's LUO selftests (tools/testing/selftests/liveupdate), in
# the debug kernel with the series: liveupdate on the first kernel, then
# luo_kexec_simple and luo_multi_session across one kexec. Each stage is a
# KTAP document; liveupdate's own KTAP is its nested subtest.
luo_test() {
	local src=$TREE/tools/testing/selftests/liveupdate dir=$work/luo t
	mkdir -p "$dir"
	for t in liveupdate luo_kexec_simple luo_multi_session; do
		gcc -static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE -I"$hdr/include" -I"$src/lib/include" \
			-I"$TREE/tools/testing/selftests" \
			-o "$dir/$t" "$src/$t.c" "$src/lib/lu_utils.c" ||
			die "selftest: cannot build $t"
	done
	echo 2 >"$dir/stages"
	cat >"$dir/run" <<'EOS'
#!/bin/sh
echo "KTAP version 1"
fail=0 n=0
if [ "$1" = 1 ]; then
	echo "1..3"
	/test/liveupdate >/tmp/liveupdate.out 2>&1
	rc=$?
	sed 's/^/  /' /tmp/liveupdate.out
	n=1
	if [ $rc = 0 ]; then
		echo "ok 1 liveupdate"
	else
		echo "not ok 1 liveupdate: rc=$rc"
		fail=1
	fi
else
	echo "1..2"
fi
for t in luo_kexec_simple luo_multi_session; do
	/test/$t -s "$1" >/tmp/$t.$1 2>&1
	rc=$?
	sed 's/^/# /' /tmp/$t.$1
	n=$((n + 1))
	if [ $rc = 0 ] && { [ "$1" = 1 ] || grep -q 'TEST PASSED' /tmp/$t.$1; }; then
		echo "ok $n $t stage $1"
	else
		echo "not ok $n $t stage $1: rc=$rc"
		fail=1
	fi
done
exit $fail
EOS
	chmod +x "$dir/run"
	vmtest -k "$kernel" -d "$dir" -t 420
}

# SCENARIOS="a b": run only these scenarios (a developer's shortcut; make
# check runs all of them).
wanted() { [ -z "${SCENARIOS:-}" ] || [[ " $SCENARIOS " == *" $1 "* ]]; }

t0=$(date +%s)
# LUO itself first (the series changes LUO): the base tree's tests. Then
# the series' own tests.
if wanted luo; then luo_test; fi
# The series' tests, with the tree's runner: the debug kernel for all but
# the module test, which needs vfio-pci as a module (the non-debug kernel).
tests=
for t in lifecycle chain fabric dma; do wanted pci-lu-$t && tests="$tests $t"; done
[ -z "$tests" ] || vmtest -k "$kernel" $tests
if wanted pci-lu-module; then
	plain_kernel || die "selftest: cannot build the module kernel"
	vmtest -k "$BUILD/kernel-plain/arch/x86/boot/bzImage" -m "$work/modules" module
fi
# A scenario that did not run is a failure: every one expected must have
# reported its kexec run.
for name in ${SCENARIOS:-luo pci-lu-lifecycle pci-lu-chain pci-lu-fabric pci-lu-dma pci-lu-module}; do
	grep -qE "^(not )?ok [0-9]+ $name: kexec run" "$results" ||
		record "not ok" "$name: did not run"
done
note "selftest: $pass passed, $failn failed, $skipn skipped in $(( $(date +%s) - t0 )) s (KTAP in $results)"
echo "$pass passed, $failn failed, $skipn skipped" >"$LOGS/selftest.totals"
[ $failn = 0 ]
