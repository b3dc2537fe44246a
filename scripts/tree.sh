#!/bin/bash
# Make build/linux: the pristine linux-source-7.3 as commit "base", with the
# series from patches/ applied on top by git am.
. "$(dirname "$0")/common.sh"

STAMP=$TREE/.git/pci-lu-series	# "<patches hash> <HEAD applied>"

series_hash() {
	cat "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null |
		sha256sum | cut -d' ' -f1
}

unpack_base() {
	local deb tmp
	deb=$("$TOP/scripts/fetch-base.sh")
	note "tree: unpacking $(basename "$deb")"
	tmp=$BUILD/unpack.$$
	rm -rf "$tmp" "$TREE"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/src
	tar -xaf "$tmp"/usr/src/linux-source-*.tar.xz -C "$tmp"
	mv "$tmp"/linux-source-* "$TREE" 2>/dev/null || mv "$tmp"/linux-source-*/ "$TREE"
	rm -rf "$tmp"
	[ -f "$TREE/Makefile" ] || die "tree: no Makefile in the unpacked source"
	dpkg-deb -f "$deb" Package Version >"$BUILD/base.pkg"
	(
		cd "$TREE"
		git init -q -b master
		git config user.name "$IDENT_NAME"
		git config user.email "$IDENT_EMAIL"
		git config core.autocrlf false
		git config gc.auto 0
		git add -A -f .
		git commit -q -m "Linux $(make -s kernelversion) from Debian $(awk '/^Version:/{print $2}' "$BUILD/base.pkg")"
		git tag base
	)
}

base_desc() {
	local v
	v=$(awk '/^(Package|Version):/ { printf "%s ", $2 }' "$BUILD/base.pkg" 2>/dev/null)
	echo "base: ${v}(Makefile $(make -s -C "$TREE" kernelversion 2>/dev/null))"
}

apply_series() {
	local p n=0
	cd "$TREE"
	git am --abort >/dev/null 2>&1 || true
	if [ "$(git rev-parse HEAD)" != "$(git rev-parse base)" ]; then
		git branch -f "backup/$(date +%Y%m%d-%H%M%S)" HEAD
	fi
	git checkout -q -f -B series base
	git clean -q -fdx -e /.git
	for p in "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$p" ] || continue
		case $p in */0000-*) continue ;; esac
		if ! git am -q --keep-cr "$p" >"$LOGS/git-am.log" 2>&1; then
			cat "$LOGS/git-am.log" >&2
			git am --abort >/dev/null 2>&1 || true
			die "tree: patch $(basename "$p") does not apply to the $(base_desc); rebase the series"
		fi
		n=$((n + 1))
	done
	echo "$(series_hash) $(git rev-parse HEAD)" >"$STAMP"
	note "tree: applied $n patches"
}

if ! git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	unpack_base
	apply_series
elif [ ! -f "$STAMP" ]; then
	apply_series
else
	read -r hash applied <"$STAMP"
	head=$(git -C "$TREE" rev-parse HEAD)
	if [ "$hash" = "$(series_hash)" ]; then
		if [ "$head" != "$applied" ]; then
			note "tree: build/linux has commits not exported yet (make export)"
		else
			note "tree: up to date"
		fi
	elif [ "$head" = "$applied" ] || [ "${FORCE:-0}" = 1 ]; then
		note "tree: patches/ changed, re-applying on base"
		apply_series
	else
		die "tree: patches/ changed and build/linux has unexported commits; export them, or FORCE=1 make tree (old HEAD kept as backup/ branch)"
	fi
fi
note "tree: $(base_desc)"
