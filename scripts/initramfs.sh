#!/bin/bash
# scripts/initramfs.sh <out.cpio> <kernel image> <test dir> [modules dir]
# Pack the test guest's root: busybox, lu-kexec, the harness's init, the
# kernel itself (for the kexec), and <test dir> as /test (which must hold
# an executable "run <stage>" and a file "stages").
. "$(dirname "$0")/common.sh"

out=$1 kernel=$2 testdir=$3 mods=${4:-}
guest=$BUILD/guest
mkdir -p "$guest"
if [ ! -x "$guest/lu-kexec" ] || [ "$TOP/scripts/guest/lu-kexec.c" -nt "$guest/lu-kexec" ]; then
	gcc -static -O2 -Wall -o "$guest/lu-kexec" "$TOP/scripts/guest/lu-kexec.c" ||
		die "initramfs: cannot build lu-kexec"
fi
[ -x /bin/busybox ] || die "initramfs: /bin/busybox missing (make deps)"
file -L /bin/busybox | grep -q 'statically linked' || die "initramfs: /bin/busybox is not static (install busybox-static)"
[ -x "$testdir/run" ] || die "initramfs: $testdir/run missing"

root=$(mktemp -d "$BUILD/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,test,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# Where the kernel runs modprobe for request_module()
ln -s /bin/busybox "$root/sbin/modprobe"
cp "$guest/lu-kexec" "$root/bin/lu-kexec"
cp "$TOP/scripts/guest/init" "$root/init"
chmod 755 "$root/init"
cp "$kernel" "$root/kernel"
cp -a "$testdir"/. "$root/test/"
# Modules, as installed by "make modules_install INSTALL_MOD_PATH=<dir>".
[ -z "$mods" ] || cp -a "$mods"/lib/modules/. "$root/lib/modules/"
[ -f "$root/test/stages" ] || echo 1 >"$root/test/stages"
(cd "$root" && find . | sort | cpio -H newc -o -R 0:0 --quiet) >"$out"
