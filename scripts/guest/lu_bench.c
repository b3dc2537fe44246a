// SPDX-License-Identifier: GPL-2.0-only
/*
 * lu_bench: the virtual machine monitor of make bench, timing the steps of
 * a Live Update of many vfio-pci devices from user space.
 *
 *   lu_bench calib          two clock marks 500 ms apart (TSC rate)
 *   lu_bench mark <name>    one clock mark
 *   lu_bench out <n> <bdf>...
 *                           kernel 1: open, bind and attach every device to
 *                           one iommufd, preserve the first n in the LUO
 *                           session "bench", then hold the files until the
 *                           kexec (in a child: this process exits)
 *   lu_bench kexec <kernel> <initrd> <command line>
 *                           load the next kernel, then mark "reboot" and
 *                           call reboot(LINUX_REBOOT_CMD_KEXEC) at once
 *   lu_bench in <n>         kernel 2: retrieve the session and its n device
 *                           files, bind and attach each to a new iommufd,
 *                           finish the session
 *
 * A clock mark is a kernel log line "LU-BENCH mark <name> tsc=<TSC>":
 * its printk time and the TSC, which QEMU keeps running across a kexec,
 * put both kernels' logs on one time line (make bench's report does it).
 * Every step prints "LU-BENCH <kernel> <step> n=.. total_us=.. min_us=..
 * med_us=.. max_us=..". Any failure ends with exit status 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <linux/iommufd.h>
#include <linux/reboot.h>
#include <linux/vfio.h>

#include <libliveupdate.h>

#define SESSION "bench"
#define MAX_DEVS 1024

static void fail(const char *what)
{
	printf("LU-BENCH FAILED: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void mark(const char *name)
{
	char line[128];
	int fd, len;

	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0)
		fail("open /dev/kmsg");
	/* At warning level: the console prints it, and it is in dmesg */
	len = snprintf(line, sizeof(line), "<4>LU-BENCH mark %s tsc=%llu\n",
		       name, (unsigned long long)__rdtsc());
	if (write(fd, line, len) != len)
		fail("write /dev/kmsg");
	close(fd);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *kernel, const char *step, double *us, int n)
{
	double total = 0;
	int i;

	for (i = 0; i < n; i++)
		total += us[i];
	qsort(us, n, sizeof(*us), cmp);
	printf("LU-BENCH %s %s n=%d total_us=%.0f min_us=%.1f med_us=%.1f max_us=%.1f\n",
	       kernel, step, n, total, n ? us[0] : 0, n ? us[n / 2] : 0,
	       n ? us[n - 1] : 0);
}

/* A new iommufd with one IOAS, for every device */
static int iommufd_new(uint32_t *ioas_id)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0)
		fail("open /dev/iommu");
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ioas))
		fail("IOMMU_IOAS_ALLOC");
	*ioas_id = ioas.out_ioas_id;
	return fd;
}

static void bind_attach(int dev_fd, int iommufd, uint32_t ioas_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommufd,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .pt_id = ioas_id,
	};

	if (ioctl(dev_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		fail("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(dev_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
}

static int open_cdev(const char *bdf)
{
	char path[300];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		fail(path);
	while ((de = readdir(d)) && strncmp(de->d_name, "vfio", 4))
		;
	if (!de)
		fail("no vfio cdev");
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
	closedir(d);
	return open(path, O_RDWR);
}

static double us[MAX_DEVS], us2[MAX_DEVS];
static int fds[MAX_DEVS];

/*
 * Every run opens, binds and attaches the same devices, so that runs differ
 * only in how many of them are preserved
 */
static void out(int n, int ndevs, char **bdfs)
{
	int luo, session, iommufd, i;
	uint32_t ioas;
	double t;

	if (n > ndevs)
		fail("more devices to preserve than listed");
	if (luo_ensure_nofile_limit(ndevs + 64))
		fail("RLIMIT_NOFILE");
	iommufd = iommufd_new(&ioas);
	for (i = 0; i < ndevs; i++) {
		t = now_us();
		fds[i] = open_cdev(bdfs[i]);
		if (fds[i] < 0)
			fail(bdfs[i]);
		bind_attach(fds[i], iommufd, ioas);
		us[i] = now_us() - t;
	}
	stats("k1", "open+bind+attach", us, ndevs);
	luo = luo_open_device();
	if (luo < 0)
		fail("open /dev/liveupdate");
	session = luo_create_session(luo, SESSION);
	if (session < 0)
		fail("create session");
	mark("preserve-begin");
	for (i = 0; i < n; i++) {
		t = now_us();
		if (luo_session_preserve_fd(session, fds[i], i))
			fail("LIVEUPDATE_SESSION_PRESERVE_FD");
		us[i] = now_us() - t;
	}
	mark("preserve-end");
	stats("k1", "preserve", us, n);
	fflush(stdout);
	/* The files must stay open until the kexec, after this exits */
	if (fork() == 0) {
		for (;;)
			pause();
	}
}

static void in(int n)
{
	int luo, session, iommufd, i, fd;
	uint32_t ioas;
	double t, t_open, t_session, t_finish;

	if (luo_ensure_nofile_limit(n + 64))
		fail("RLIMIT_NOFILE");
	mark("k2-user");
	t = now_us();
	luo = luo_open_device();
	if (luo < 0)
		fail("open /dev/liveupdate");
	t_open = now_us() - t;
	if (!n) {
		mark("bound");
		printf("LU-BENCH k2 luo-open n=1 total_us=%.0f\n", t_open);
		return;
	}
	t = now_us();
	session = luo_retrieve_session(luo, SESSION);
	if (session < 0)
		fail("retrieve session");
	t_session = now_us() - t;
	iommufd = iommufd_new(&ioas);
	for (i = 0; i < n; i++) {
		t = now_us();
		fd = luo_session_retrieve_fd(session, i);
		if (fd < 0)
			fail("LIVEUPDATE_SESSION_RETRIEVE_FD");
		us[i] = now_us() - t;
		t = now_us();
		bind_attach(fd, iommufd, ioas);
		us2[i] = now_us() - t;
	}
	mark("bound");
	t = now_us();
	if (luo_session_finish(session))
		fail("LIVEUPDATE_SESSION_FINISH");
	t_finish = now_us() - t;
	mark("finished");
	printf("LU-BENCH k2 luo-open n=1 total_us=%.0f\n", t_open);
	printf("LU-BENCH k2 session-retrieve n=1 total_us=%.0f\n", t_session);
	stats("k2", "retrieve", us, n);
	stats("k2", "bind+attach", us2, n);
	printf("LU-BENCH k2 finish n=%d total_us=%.0f\n", n, t_finish);
}

/* The blackout starts at the reboot() call: mark it just before */
static void kexec(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY), ifd = open(initrd, O_RDONLY);

	if (kfd < 0 || ifd < 0)
		fail("open kernel or initrd");
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, 0UL))
		fail("kexec_file_load");
	sync();
	mark("reboot");
	reboot(LINUX_REBOOT_CMD_KEXEC);
	fail("reboot(LINUX_REBOOT_CMD_KEXEC)");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "calib")) {
		mark("calib0");
		usleep(500000);
		mark("calib1");
	} else if (argc == 3 && !strcmp(argv[1], "mark")) {
		mark(argv[2]);
	} else if (argc >= 3 && !strcmp(argv[1], "out") && argc - 3 <= MAX_DEVS) {
		out(atoi(argv[2]), argc - 3, argv + 3);
	} else if (argc == 5 && !strcmp(argv[1], "kexec")) {
		kexec(argv[2], argv[3], argv[4]);
	} else if (argc == 3 && !strcmp(argv[1], "in") && atoi(argv[2]) <= MAX_DEVS) {
		in(atoi(argv[2]));
	} else {
		fprintf(stderr, "usage: lu_bench calib | mark <name> | out <n> <bdf>... | in <n> | kexec <kernel> <initrd> <cmdline>\n");
		return 2;
	}
	return 0;
}
