#!/bin/bash
# Build a kernel out of tree: scripts/kernel.sh <debug|plain> [make targets].
#   debug: the QEMU test kernel (tinyconfig + base + series + debug fragments)
#   plain: non-debug, vfio-pci as a module (make bisect, benchmark)
#   bench: non-debug with tracers, vfio-pci built in (make bench)
#   bench-base: the same configuration on the unpatched base (make bench)
. "$(dirname "$0")/common.sh"

flavor=${1:-debug}
shift || true
obj=$BUILD/kernel-$flavor
case $flavor in
debug) frags="base series debug" ;;
plain) frags="base series module bench"; TREE=${SRC:-$BUILD/bisect-src} ;;
off) frags="base off"; TREE=${SRC:-$BUILD/bisect-src} ;;
bench) frags="base series trace"; TREE=${SRC:-$BUILD/bisect-src} ;;
bench-base) frags="base series trace"; TREE=${SRC:-$BUILD/base-src} ;;
*) die "kernel: unknown flavor $flavor" ;;
esac
mkdir -p "$obj"

configure() {
	local f list=()
	for f in $frags; do list+=("$TOP/configs/$f.config"); done
	kmake "$obj" -s tinyconfig >/dev/null
	(cd "$obj" && KCONFIG_CONFIG=.config "$TREE/scripts/kconfig/merge_config.sh" -m -O "$obj" .config "${list[@]}" >/dev/null)
	kmake "$obj" -s olddefconfig >/dev/null
	# Every option a fragment asks for must have landed, except series
	# options that the series (at this point of a bisect) does not define.
	local bad=0 line opt want got
	while read -r line; do
		case $line in CONFIG_*=*) ;; "# CONFIG_"*" is not set") ;; *) continue ;; esac
		if [[ $line == "# "* ]]; then opt=${line#\# }; opt=${opt%% *}; want=n
		else opt=${line%%=*}; want=${line#*=}; fi
		got=$(grep -E "^$opt=|^# $opt is not set" "$obj/.config" | sed -e "s/^$opt=//" -e 's/^# .* is not set$/n/' || true)
		[ -n "$got" ] || got=n
		[ "$got" = "$want" ] && continue
		if grep -qx "$line" "$TOP/configs/series.config" "$TOP/configs/bench.config" &&
		   ! grep -rqE "^config ${opt#CONFIG_}\$" --include='Kconfig*' "$TREE/drivers" "$TREE/kernel" "$TREE/lib" 2>/dev/null; then
			continue
		fi
		echo "kernel($flavor): $opt=$want requested, got $got" >&2
		bad=1
	done < <(cat "${list[@]}" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { o = $2 }
		o != "" { if (!(o in v)) order[n++] = o; v[o] = $0; o = "" }
		END { for (i = 0; i < n; i++) print v[order[i]] }')
	[ $bad = 0 ] || die "kernel($flavor): configuration does not hold what configs/ asks for"
}

# configure takes about 25 s even when nothing changed (tinyconfig, merge,
# olddefconfig): skip it when the fragments and every Kconfig file of the
# tree are those of the last configuration of this object tree.
config_key() {
	{
		cat "$TOP"/configs/*.config "$TOP/scripts/kernel.sh"
		git -C "$TREE" ls-files -s -- '*Kconfig*' 'arch/x86/configs/' 'kernel/configs/'
		git -C "$TREE" status --porcelain -- '*Kconfig*' 'arch/x86/configs/' 'kernel/configs/'
	} | sha256sum | cut -c1-32
}

t0=$(date +%s)
key="$flavor $frags $(config_key)"
if [ -f "$obj/.config" ] && [ "$(cat "$obj/.config-key" 2>/dev/null)" = "$key" ]; then
	:
else
	rm -f "$obj/.config-key"
	configure
	echo "$key" >"$obj/.config-key"
fi
targets=${*:-bzImage}
if grep -q '^CONFIG_MODULES=y' "$obj/.config" && [ -z "$*" ]; then targets="$targets modules"; fi
log=$LOGS/kernel-$flavor.log
if ! kmake "$obj" $targets >"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -n 30 >&2
	die "kernel($flavor): build failed, full log in $log"
fi
grep -E ': warning:' "$log" | sort -u >"$LOGS/kernel-$flavor.warnings" || true
note "kernel($flavor): built in $(( $(date +%s) - t0 )) s ($obj/arch/x86/boot/bzImage)"
