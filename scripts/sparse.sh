#!/bin/bash
# Print the path of a sparse the kernel accepts (scripts/checker-valid.sh).
# Debian bookworm's sparse 0.6.4 lacks __typeof_unqual__, which 7.3 uses:
# build a newer one from Debian's source package (a private deb-src entry
# derived from the machine's own Debian entry, as for the kernel), cached.
. "$(dirname "$0")/common.sh"

dir=$CACHE/sparse
if [ -x "$dir/bin/sparse" ] && sh "$TREE/scripts/checker-valid.sh" "$dir/bin/sparse" | grep -qx 1; then
	echo "$dir/bin/sparse"
	exit 0
fi
if command -v sparse >/dev/null && sh "$TREE/scripts/checker-valid.sh" sparse | grep -qx 1; then
	command -v sparse
	exit 0
fi
uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
[ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | awk '{ print $2; exit }' || true)
[ -n "$uri" ] || die "sparse: no Debian entry in the machine's apt sources"
APT=$CACHE/apt-src
mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$dir/src"
for s in sid trixie-backports trixie; do
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main"
done >"$APT/sources.list"
O=(-o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=/dev/null
   -o Dir::State="$APT/state" -o Dir::State::status=/var/lib/dpkg/status
   -o Dir::Cache="$APT/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1)
apt-get "${O[@]}" -qq update >&2 || die "sparse: apt-get update of the source index failed"
for ver in $(apt-cache "${O[@]}" showsrc sparse 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -rV); do
	rm -rf "$dir/src" && mkdir -p "$dir/src"
	(cd "$dir/src" && apt-get "${O[@]}" -qq source --download-only "sparse=$ver" >&2 &&
		dpkg-source -x ./*.dsc tree >/dev/null 2>&1 &&
		make -s -C tree -j"$JOBS" CC=gcc sparse >/dev/null 2>&1) || continue
	mkdir -p "$dir/bin"
	cp "$dir/src/tree/sparse" "$dir/bin/sparse"
	if sh "$TREE/scripts/checker-valid.sh" "$dir/bin/sparse" | grep -qx 1; then
		echo "sparse $ver built from Debian's source package" >&2
		echo "$dir/bin/sparse"
		exit 0
	fi
done
die "sparse: no sparse that the kernel accepts (checker-valid.sh)"
