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

# attempt <name> <kernel> <timeout> [kernel args]: one boot; true when
# the run was clean and every KTAP result of the tests is "ok".
attempt() {
	local name=$1 k=$2 tmo=$3
	shift 3
	"$TOP/scripts/qemu.sh" "$name" "$k" "$work/$name.cpio" "$tmo" kunit.enable=0 "$@" || return 1
	! grep -aqE '^not ok [0-9]+ ' "$LOGS/$name/serial.log"
}

# run_scenario <name> <test dir> <timeout> [kernel args]
# Each scenario is booted once: a failure is a failure, never retried.
run_scenario() {
	local name=$1 dir=$2 tmo=$3 line ok=1 k=$kernel mods=
	shift 3
	if [ -f "$dir/modules" ]; then
		[ -d "$work/modules" ] || plain_kernel || die "selftest: cannot build the module kernel"
		k=$BUILD/kernel-plain/arch/x86/boot/bzImage mods=$work/modules
	fi
	"$TOP/scripts/initramfs.sh" "$work/$name.cpio" "$k" "$dir" $mods
	attempt "$name" "$k" "$tmo" "$@" || ok=0
	# The tests' own KTAP result lines, printed by the guest at column 0.
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*) record skip "$name: ${line#ok * }" ;;
		"ok "*) record ok "$name: ${line#ok * }" ;;
		"not ok "*) record "not ok" "$name: ${line#not ok * }"; ok=0 ;;
		esac
	done < <(grep -aE '^(not )?ok [0-9]+ ' "$LOGS/$name/serial.log" || true)
	# What a kernel logs while it goes down, which no guest can check:
	# lines "<kernel> <text>" of the test's kernel-log file.
	if [ -f "$dir/kernel-log" ]; then
		while read -r n text; do
			if grep -aqF -- "$text" "$LOGS/$name/kernel-$n.log" 2>/dev/null; then
				record ok "$name: kernel $n logged '$text'"
			else
				record "not ok" "$name: kernel $n logged '$text'"
				ok=0
			fi
		done <"$dir/kernel-log"
	fi
	if [ $ok = 1 ]; then record ok "$name: kexec run clean"; else record "not ok" "$name: kexec run (see $LOGS/$name)"; fi
}

luo_memfd_test() {
	local src=$TREE/tools/testing/selftests/liveupdate dir=$work/luo-memfd
	mkdir -p "$dir"
	gcc -static -O2 -Wall -Wno-unused-function -I"$hdr/include" -I"$src/lib/include" \
		-I"$TREE/tools/testing/selftests" \
		-o "$dir/luo_kexec_simple" "$src/luo_kexec_simple.c" "$src/lib/lu_utils.c" ||
		die "selftest: cannot build luo_kexec_simple"
	echo 2 >"$dir/stages"
	cat >"$dir/run" <<'EOS'
#!/bin/sh
/test/luo_kexec_simple -s "$1" >/tmp/out.$1 2>&1
rc=$?
cat /tmp/out.$1
if [ "$1" = 2 ]; then
	if [ $rc = 0 ] && grep -q 'TEST PASSED' /tmp/out.2; then
		echo "ok 1 luo_kexec_simple: memfd content survived the kexec"
	else
		echo "not ok 1 luo_kexec_simple: stage 2 rc=$rc"
	fi
elif [ $rc != 0 ]; then
	echo "not ok 1 luo_kexec_simple: stage 1 rc=$rc"
fi
exit $rc
EOS
	chmod +x "$dir/run"
	run_scenario luo-memfd "$dir" 300
}

# SCENARIOS="a b": run only these scenarios (a developer's shortcut; make
# check runs all of them).
wanted() { [ -z "${SCENARIOS:-}" ] || [[ " $SCENARIOS " == *" $1 "* ]]; }

t0=$(date +%s)
# LUO itself first (the series exports LUO to modules): the base tree's
# memfd test. Then the series' own tests.
if wanted luo-memfd; then luo_memfd_test; fi
series=$TREE/tools/testing/selftests/pci/liveupdate
if [ -x "$series/run_harness.sh" ]; then
	# run_harness.sh builds the tests and prints one line per scenario:
	# "<scenario> <test dir> <timeout> [kernel args]".
	HDR="$hdr" OUT="$work" "$series/run_harness.sh" >"$work/scenarios" ||
		die "selftest: $series/run_harness.sh failed"
	while read -r name dir tmo args; do
		[ -n "$name" ] && wanted "$name" || continue
		run_scenario "$name" "$dir" "$tmo" $args
	done <"$work/scenarios"
else
	note "selftest: the series has no tests in tools/testing/selftests/pci/liveupdate yet"
fi
# A scenario that did not run is a failure: every one expected must have
# reported its kexec run.
for name in ${SCENARIOS:-luo-memfd pci-lu-lifecycle pci-lu-chain pci-lu-fabric pci-lu-module}; do
	grep -qE "^(not )?ok [0-9]+ $name: kexec run" "$results" ||
		record "not ok" "$name: did not run"
done
note "selftest: $pass passed, $failn failed, $skipn skipped in $(( $(date +%s) - t0 )) s (KTAP in $results)"
echo "$pass passed, $failn failed, $skipn skipped" >"$LOGS/selftest.totals"
[ $failn = 0 ]
