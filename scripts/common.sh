# Shared settings for the harness scripts; sourced, not run.
set -euo pipefail

# Debian's python3 (with ply, git, sphinx from apt) before any other.
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
TREE=$BUILD/linux
LOGS=$BUILD/logs
CACHE=${PCI_LU_CACHE:-$HOME/.cache/pci-liveupdate}
JOBS=${JOBS:-$(nproc)}
IDENT_NAME="PCI Live Update Project"
IDENT_EMAIL="pci-liveupdate@localhost"

export GIT_AUTHOR_NAME="$IDENT_NAME" GIT_AUTHOR_EMAIL="$IDENT_EMAIL"
export GIT_COMMITTER_NAME="$IDENT_NAME" GIT_COMMITTER_EMAIL="$IDENT_EMAIL"
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# Paths below the checkout are hashed relative to it, so that another
# clone (CI, a worktree) hits the same cache entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
export KBUILD_BUILD_USER=pci-liveupdate KBUILD_BUILD_HOST=localhost

mkdir -p "$BUILD" "$LOGS" "$CACHE"

die() { echo "ERROR: $*" >&2; exit 1; }
note() { echo "==> $*"; }

# kmake <objdir> <args...>: out-of-tree kernel make with ccache.
kmake() {
	local obj=$1; shift
	make -C "$TREE" O="$obj" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}

# boot_guest <kernel> <guest dir> <timeout s> [kernel args]: boot a guest
# test directory ("run <stage>", "stages") under QEMU with the tree's
# selftest runner; logs in $LOGS/<basename of the directory>/.
VMTEST=$TREE/tools/testing/selftests/pci/liveupdate/vmtest.sh
boot_guest() {
	local kernel=$1 dir=$2 tmo=$3
	shift 3
	[ -x "$VMTEST" ] || die "the tree has no $VMTEST"
	"$VMTEST" -o "$LOGS" -k "$kernel" -d "$dir" -t "$tmo" -a "$*"
}
