#!/bin/bash
# Download Debian's linux-source-7.3 into $CACHE and print the .deb path.
# The package lives in trixie-backports, which this machine's apt sources do
# not list: derive a private source from the machine's own Debian entry
# (same URI, other suite) with a private apt state directory.
. "$(dirname "$0")/common.sh"

SUITE=${BASE_SUITE:-trixie-backports}
PKG=${BASE_PACKAGE:-linux-source-7.3}

debian_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
	done | head -n1
	grep -hE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -v security | grep -i debian | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' | head -n1
	true
}

APT=$CACHE/apt
mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial"
uri=$(debian_uri | head -n1 || true)
[ -n "$uri" ] || die "fetch-base: no Debian entry found in the machine's apt sources"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $SUITE main" >"$APT/sources.list"
O=(-o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=/dev/null
   -o Dir::State="$APT/state" -o Dir::State::status=/var/lib/dpkg/status
   -o Dir::Cache="$APT/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1)

# Use the cached package when the index is fresh enough (or offline).
if ! apt-get "${O[@]}" -qq update >&2; then
	echo "fetch-base: apt-get update failed, trying the cache" >&2
fi
ver=$(apt-cache "${O[@]}" policy "$PKG" 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	deb=$(ls -t "$CACHE"/${PKG}_*.deb 2>/dev/null | head -n1 || true)
	[ -n "$deb" ] || die "fetch-base: $PKG not found in $SUITE and nothing cached in $CACHE"
	echo "$deb"
	exit 0
fi
deb=$CACHE/${PKG}_${ver//:/%3a}_all.deb
if [ ! -s "$deb" ]; then
	(cd "$CACHE" && apt-get "${O[@]}" -qq download "$PKG=$ver" >&2) ||
		die "fetch-base: apt-get download $PKG=$ver failed"
fi
[ -s "$deb" ] || die "fetch-base: $deb missing after download"
echo "$deb"
