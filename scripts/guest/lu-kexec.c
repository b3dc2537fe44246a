// SPDX-License-Identifier: GPL-2.0
/*
 * lu-kexec: load a kernel with kexec_file_load() and reboot into it.
 *
 *   lu-kexec <kernel> <initrd> <command line>
 *
 * A static stand-in for "kexec -s -l ... && kexec -e" inside the test
 * guest, whose initramfs carries no shared libraries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/reboot.h>

int main(int argc, char **argv)
{
	int kfd, ifd;
	long ret;

	if (argc != 4) {
		fprintf(stderr, "usage: %s <kernel> <initrd> <cmdline>\n", argv[0]);
		return 2;
	}
	kfd = open(argv[1], O_RDONLY);
	ifd = open(argv[2], O_RDONLY);
	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "lu-kexec: open: %s\n", strerror(errno));
		return 1;
	}
	ret = syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		      argv[3], 0UL);
	if (ret) {
		fprintf(stderr, "lu-kexec: kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	close(kfd);
	close(ifd);
	sync();
	ret = reboot(LINUX_REBOOT_CMD_KEXEC);
	fprintf(stderr, "lu-kexec: reboot(KEXEC): %s\n", strerror(errno));
	return 1;
}
