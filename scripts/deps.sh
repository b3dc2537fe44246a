#!/bin/bash
# Install, with apt, what the harness needs, and the packages named as
# arguments (make bench: gnuplot). Quick when all is present.
. "$(dirname "$0")/common.sh"

PKGS="build-essential flex bison bc libelf-dev libssl-dev dwarves cpio kmod
      qemu-system-x86 kexec-tools busybox-static sparse ccache python3 perl
      rsync xz-utils git python3-sphinx python3-yaml python3-ply python3-git
      python3-sphinx-rtd-theme file make gawk $*"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	note "deps: all present"
	exit 0
fi
note "deps: installing$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing ||
	die "apt-get install failed for:$missing"
