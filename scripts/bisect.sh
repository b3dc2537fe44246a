#!/bin/bash
# Build after each patch, in order, in a worktree of build/linux (non-debug
# configuration, vfio-pci as a module), and name the first patch that
# breaks the build. Then build the debug test kernel at the tip.
#
# Every patch but the last builds the directories the series' C files are
# in (all their objects, built-in and modular, against the headers of that
# patch); the last one builds the whole kernel and its modules, which links
# everything. BISECT=full builds the whole kernel after every patch. A
# patch that changes no build input is not built again. At the tip, the
# same directories are also built with Live Update off.
. "$(dirname "$0")/common.sh"

src=$BUILD/bisect-src
okfile=$BUILD/bisect.ok	# "<tree hash> <config hash>" of builds that passed
touch "$okfile"
cd "$TREE"
if [ ! -e "$src/.git" ]; then
	rm -rf "$src"
	git worktree prune
	git worktree add -q --detach "$src" base
fi
cfg=$(cat "$TOP"/configs/{base,series,module,bench,off}.config "$TOP/scripts/kernel.sh" | sha256sum | cut -c1-16)
mapfile -t commits < <(git rev-list --reverse base..HEAD)
mapfile -t files < <(ls "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-' || true)
t0=$(date +%s)
built=0 cached=0
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	name=${files[$i]:-}
	name=${name:+$(basename "$name")}
	[ -n "$name" ] || name="commit $(git log -1 --format='%h %s' "$c")"
	key="$(git rev-parse "$c^{tree}") $cfg"
	if grep -qxF "$key" "$okfile"; then
		cached=$((cached + 1))
		continue
	fi
	# A patch that changes no build input (documentation, selftests,
	# MAINTAINERS) builds exactly as the patch before it, which did.
	if [ "$i" -gt 0 ] && [ $((i + 1)) -lt ${#commits[@]} ] &&
	   ! git diff --name-only "$c^" "$c" | grep -qvE '^(Documentation/|tools/testing/|MAINTAINERS$)'; then
		note "bisect: $name changes no build input, builds as the patch before it"
		echo "$key" >>"$okfile"
		cached=$((cached + 1))
		continue
	fi
	git -C "$src" checkout -q --detach "$c"
	t1=$(date +%s)
	targets=
	if [ "${BISECT:-}" != full ] && [ $((i + 1)) -lt ${#commits[@]} ]; then
		targets=$(git diff --name-only base "$c" -- '*.c' | grep -v '^tools/' |
			xargs -r -n1 dirname | sort -u | sed 's|$|/|' | tr '\n' ' ')
		key="$key dirs"
		grep -qxF "$key" "$okfile" && { cached=$((cached + 1)); continue; }
	fi
	if ! SRC=$src "$TOP/scripts/kernel.sh" plain $targets >"$LOGS/bisect-step.log" 2>&1; then
		cat "$LOGS/bisect-step.log" >&2
		die "bisect: the build breaks at patch $((i + 1)) of ${#commits[@]}: $name (log: $LOGS/kernel-plain.log)"
	fi
	echo "$key" >>"$okfile"
	built=$((built + 1))
	note "bisect: $name builds (${targets:-whole kernel}, $(( $(date +%s) - t1 )) s)"
done
note "bisect: ${#commits[@]} patches build one by one ($built built, $cached known good) in $(( $(date +%s) - t0 )) s"
# With Live Update off, the directories the series touches must build at
# the tip (its stubs, and its hooks in the PCI core and vfio). Compiled,
# not linked: a call without a stub is an implicit declaration, an error.
dirs=$(git diff --name-only base HEAD -- '*.c' | grep -v '^tools/' |
	xargs -r -n1 dirname | sort -u | sed 's|$|/|' | tr '\n' ' ')
key="$(git rev-parse "HEAD^{tree}") $cfg off"
if ! grep -qxF "$key" "$okfile"; then
	git -C "$src" checkout -q --detach "$(git rev-parse HEAD)"
	t1=$(date +%s)
	SRC=$src "$TOP/scripts/kernel.sh" off $dirs >"$LOGS/bisect-step.log" 2>&1 || {
		cat "$LOGS/bisect-step.log" >&2
		die "bisect: the tip does not build with Live Update off (log: $LOGS/kernel-off.log)"
	}
	[ ! -s "$LOGS/kernel-off.warnings" ] || {
		cat "$LOGS/kernel-off.warnings" >&2
		die "bisect: warnings with Live Update off"
	}
	echo "$key" >>"$okfile"
	note "bisect: with Live Update off, $dirs build ($(( $(date +%s) - t1 )) s)"
fi
"$TOP/scripts/kernel.sh" debug
