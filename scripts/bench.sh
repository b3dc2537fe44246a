#!/bin/bash
# make bench: what the series costs, measured; a benchmark, not a test (it
# fails only when a run fails, never on a time).
#  1. The KUnit suite pci_liveupdate_bench in the non-debug kernel:
#     per-record costs and KHO bytes per device (logs/bench.txt).
#  2. Live Updates at scale under TCG QEMU: q35 with intel-iommu and 256
#     edu functions (64 on the root bus, 64 behind 8 root ports, 64 behind
#     the 8 downstream ports of a switch, 64 behind a conventional
#     bridge), all bound to vfio-pci and opened in kernel 1; one kexec with
#     N = 0, 1, 16, 64, 256 of them preserved, BENCH_RUNS (3) times each;
#     then BENCH_BOOTS (5) boots each of the same machine with Live Update
#     off, patched and unpatched base kernel of one configuration
#     (configs/trace.config added), for PCI enumeration. Phases are timed
#     inside the kernels (function_graph, kprobe events, clock marks on the
#     TSC, which runs on across the kexec); scripts/bench-report.py makes
#     the table (logs/bench-scale.md) and the plot (logs/bench-scale.svg).
# BENCH_SCALE=0 runs only part 1, BENCH_KUNIT=0 only part 2; BENCH_N
# overrides the list of N (it must hold 0).
. "$(dirname "$0")/common.sh"

t_start=$(date +%s)
if [ "${BENCH_SCALE:-1}" = 1 ]; then
	"$TOP/scripts/deps.sh" gnuplot-nox
else
	"$TOP/scripts/deps.sh"
fi
"$TOP/scripts/tree.sh"
# worktree <dir> <commit>: a detached worktree of build/linux at <commit>
worktree() {
	if [ ! -e "$1/.git" ]; then
		rm -rf "$1"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$1" "$2"
	fi
	git -C "$1" checkout -q --detach "$2"
}
src=$BUILD/bisect-src
worktree "$src" "$(git -C "$TREE" rev-parse HEAD)"

if [ "${BENCH_KUNIT:-1}" = 1 ]; then
	SRC=$src "$TOP/scripts/kernel.sh" plain
	work=$BUILD/bench-guest/bench
	mkdir -p "$work"
	printf '#!/bin/sh\nexit 0\n' >"$work/run"
	chmod +x "$work/run"
	boot_guest "$BUILD/kernel-plain/arch/x86/boot/bzImage" "$work" 1200 \
		kunit.enable=1 "kunit.filter_glob=pci_liveupdate_bench*" >/dev/null ||
		die "bench: the KUnit benchmark failed, see $LOGS/bench/serial.log"
	grep -a 'bench' "$LOGS/bench/serial.log" | grep -v 'Command line' |
		sed 's/^\[ *[0-9.]*\] *//' | tee "$LOGS/bench.txt"
fi
[ "${BENCH_SCALE:-1}" = 1 ] || exit 0

# The kernels: the series' tip and its base, one configuration
SRC=$src "$TOP/scripts/kernel.sh" bench
if [ "${BENCH_BOOTS:-5}" -gt 0 ]; then
	base=$BUILD/base-src
	worktree "$base" base
	SRC=$base "$TOP/scripts/kernel.sh" bench-base
fi
obj=$BUILD/kernel-bench
# From the tree it was built from: another source tree would rebuild it all
(TREE=$src; kmake "$obj" -s headers_install INSTALL_HDR_PATH="$obj/usr-hdr" >/dev/null)

work=$BUILD/bench-scale
out=$LOGS/bench-scale
rm -rf "$work" "$out"
mkdir -p "$work/bin" "$out"
lib=$TREE/tools/testing/selftests/liveupdate/lib
gcc -static -O2 -Wall -I"$obj/usr-hdr/include" -I"$lib/include" \
	-o "$work/bin/lu_bench" "$TOP/scripts/guest/lu_bench.c" "$lib/lu_utils.c" ||
	die "bench: cannot build lu_bench"

# The machine: vmtest.sh's (nvme devices, ports, switch) plus the edu
# functions, through a QEMU wrapper (vmtest.sh takes the QEMU to run).
edu=()
fn() {	# fn <bus> <slot>: 8 edu functions in one slot
	local f
	for f in 0 1 2 3 4 5 6 7; do
		edu+=(-device "edu,bus=$1,addr=$2.$f")
		[ $f != 0 ] || edu[-1]+=",multifunction=on"
	done
}
for s in 0a 0b 0c 0d 0e 0f 10 11; do fn pcie.0 "$s"; done
for p in 0 1 2 3 4 5 6 7; do
	edu+=(-device "pcie-root-port,id=brp$p,chassis=$((20 + p)),slot=$((20 + p)),addr=12.$p")
	[ $p != 0 ] || edu[-1]+=",multifunction=on"
	fn "brp$p" 00
done
edu+=(-device pcie-root-port,id=bsw,chassis=30,slot=30,addr=13.0
      -device x3130-upstream,id=bsw-up,bus=bsw)
for p in 0 1 2 3 4 5 6 7; do
	edu+=(-device "xio3130-downstream,id=bsw-dn$p,bus=bsw-up,chassis=$((31 + p)),slot=0")
	fn "bsw-dn$p" 00
done
edu+=(-device pci-bridge,id=bbr,chassis_nr=40,addr=14.0)
for s in 01 02 03 04 05 06 07 08; do fn bbr "$s"; done
{
	echo '#!/bin/bash'
	printf 'exec %q "$@"' "${QEMU:-qemu-system-x86_64}"
	printf ' %q' "${edu[@]}"
	echo
} >"$work/qemu"
chmod +x "$work/qemu"

# Timed inside the kernels: these functions' calls and durations
# (function_graph from boot, with the time of each line), the kexec path by
# kprobe events printed to the console (tp_printk); loglevel 5 prints those
# and the clock marks, and keeps the kernels' info lines (hundreds per boot
# here) off the slow serial console; the series' debug lines are off.
fns=acpi_pci_root_add,pci_liveupdate_setup_device,pci_liveupdate_bridge_busn
fns+=,pci_liveupdate_busn_refused,pci_liveupdate_bridge_scanned
fns+=,pci_liveupdate_pin_resources,pci_liveupdate_save_acs,pci_liveupdate_restore_acs
fns+=,pci_liveupdate_match_driver,pci_liveupdate_probe,pci_liveupdate_preserve
fns+=,pci_liveupdate_finish,pci_lu_in_restore,pci_lu_in_attach
args="loglevel=5 log_buf_len=8M printk.devkmsg=on dyndbg=\"file drivers/pci/liveupdate* -p\""
args+=" tp_printk trace_buf_size=16M ftrace=function_graph"
args+=" trace_options=funcgraph-tail,funcgraph-abstime"
# The Live Update runs trace the series' functions; the enumeration boots,
# which compare patched and unpatched kernels, trace only the enumeration,
# so that the tracer's own cost per traced call does not weigh on one side
lu_args="$args ftrace_filter=$fns ftrace_graph_filter=$fns"
off_args="$args ftrace_filter=acpi_pci_root_add ftrace_graph_filter=acpi_pci_root_add"
off_args+=" liveupdate=off kho=off"

# What no kernel of a clean run logs (vmtest.sh checks the kernels' logs
# split at their banners, which loglevel 5 leaves out: checked here)
BAD='Kernel panic|BUG:|WARNING:|Oops|general protection fault|KASAN|UBSAN|cut here'
BAD+='|soft lockup|blocked for more than|rcu: INFO:|self-detected stall'

# run <name> <kernel> <N> <stages> <kernel arguments>: one QEMU run; it
# failed unless its last stage ended well and no kernel reported a bug
fails=0
run() {
	local name=$1 kernel=$2 d=$work/$1
	mkdir -p "$d"
	cp "$work/bin/lu_bench" "$TREE/tools/testing/selftests/pci/liveupdate/lib.sh" "$d/"
	cp "$TOP/scripts/guest/bench-run" "$d/run"
	chmod +x "$d/run"
	echo "$3" >"$d/n"
	echo "$4" >"$d/stages"
	local t0=$SECONDS
	local log=$out/$name/serial.log
	if QEMU=$work/qemu "$VMTEST" -o "$out" -k "$kernel" -d "$d" -t 1200 \
		-a "$5" >"$out/$name.ktap" 2>&1 &&
	   grep -aq '^LU-BENCH done' "$log" &&
	   grep -aq "^LU-STAGE $4/$4 END rc=0" "$log" &&
	   ! grep -aEq "$BAD" "$log"; then
		note "bench: $name: $((SECONDS - t0)) s"
	else
		note "bench: $name FAILED after $((SECONDS - t0)) s (see $out/$name/)"
		fails=$((fails + 1))
	fi
}

for r in $(seq "${BENCH_RUNS:-3}"); do
	for n in ${BENCH_N:-0 1 16 64 256}; do
		run "lu-n$n-r$r" "$obj/arch/x86/boot/bzImage" "$n" 2 "$lu_args"
	done
done
for r in $(seq "${BENCH_BOOTS:-5}"); do
	run "off-patched-r$r" "$obj/arch/x86/boot/bzImage" 0 1 "$off_args"
	run "off-base-r$r" "$BUILD/kernel-bench-base/arch/x86/boot/bzImage" 0 1 "$off_args"
done
python3 "$TOP/scripts/bench-report.py" "$out" "$LOGS/bench-scale" ||
	fails=$((fails + 1))
note "bench: table $LOGS/bench-scale.md, plot $LOGS/bench-scale.svg; $((fails)) run(s) failed; $(( $(date +%s) - t_start )) s"
[ $fails = 0 ]
