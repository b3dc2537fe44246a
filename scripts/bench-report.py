#!/usr/bin/env python3
"""make bench's report: read the serial logs of scripts/bench.sh's QEMU runs
and write <prefix>.md (tables), <prefix>.dat and <prefix>.svg (the plot of
the series' added cost per preserved device against N). Exits 1 when a run
cannot be used.

Kernel times are taken inside the guest kernels: printk times of clock
marks, kprobe events and dmesg lines, and function_graph durations;
user-space step times (lu_bench, CLOCK_MONOTONIC) are the guest's too. A
clock mark carries the TSC, which runs on across the kexec, so that both
kernels' times fall on one line: the blackout runs from the mark lu_bench
writes just before reboot(LINUX_REBOOT_CMD_KEXEC) to the one it writes
once the last device is bound in kernel 2, both read from the TSC.

    bench-report.py <log dir> <output prefix>
"""
import glob
import os
import random
import re
import statistics
import subprocess
import sys

MARK = re.compile(r'\[\s*([0-9.]+)\] LU-BENCH mark (\S+) tsc=(\d+)')
KPROBE = re.compile(r'\[\s*([0-9.]+)\] (lub_\w+): \(')
STEP = re.compile(r'LU-BENCH (k[12]) ([a-z+-]+) n=(\d+) total_us=([0-9.]+)'
                  r'(?: min_us=[0-9.]+ med_us=([0-9.]+))?')
FN = re.compile(r'LU-BENCH (k[12]) fn (\w+) calls=(\d+) total_us=([0-9.]+)'
                r'(?: enum_calls=(\d+) enum_us=([0-9.]+))?')
INITCALL = re.compile(r'LU-BENCH (k[12]) initcall (\S+) (\d+)')
DMESG = re.compile(r'LU-BENCH (k[12]) dmesg \[\s*([0-9.]+)\] (.*)')

ENUM_HOOKS = ['pci_liveupdate_setup_device', 'pci_liveupdate_bridge_busn',
              'pci_liveupdate_busn_refused', 'pci_liveupdate_bridge_scanned',
              'pci_liveupdate_pin_resources', 'pci_liveupdate_save_acs',
              'pci_liveupdate_restore_acs']
# Called when drivers bind, after enumeration: counted over the whole boot
DRIVER_HOOKS = ['pci_liveupdate_match_driver', 'pci_liveupdate_probe']
# A hook that only tests a flag on a device that is not incoming: its
# duration in a run without incoming devices is the tracer's own cost
PROBE_FN = 'pci_liveupdate_save_acs'


def kernels(path):
    """The serial log of a run, split per kernel at init's stage lines
    (the console's loglevel hides the kernels' banners): a kernel's lines
    run up to the next stage's BEGIN, so that what it prints on its way
    down (the kprobe events of the kexec path) stays with it."""
    parts = [[]]
    with open(path, errors='replace') as f:
        for line in f:
            if re.match(r'LU-STAGE [2-9]/[0-9]+ BEGIN', line):
                parts.append([])
            parts[-1].append(line.rstrip('\r\n'))
    return [Kernel(p) for p in parts] + [Kernel([])] * 2


class Kernel:
    """What one kernel of a run logged."""

    def __init__(self, lines):
        self.marks, self.events, self.steps, self.fns, self.dmesg = {}, {}, {}, {}, {}
        self.initcalls = {}
        self.overrun = 0
        for line in lines:
            if line.startswith('LU-BENCH') and ' trace-overrun ' in line:
                self.overrun += int(line.split()[-1])
                continue
            m = MARK.search(line)
            if m:
                self.marks[m.group(2)] = (float(m.group(1)) * 1e6, int(m.group(3)))
                continue
            m = KPROBE.search(line)
            if m:
                self.events.setdefault(m.group(2), float(m.group(1)) * 1e6)
                continue
            m = FN.search(line)
            if m:
                self.fns[m.group(2)] = (int(m.group(3)), float(m.group(4)),
                                        int(m.group(5) or 0), float(m.group(6) or 0))
                continue
            m = INITCALL.search(line)
            if m:
                self.initcalls[re.sub(r'\+0x.*', '', m.group(2))] = float(m.group(3))
                continue
            m = DMESG.search(line)
            if m:
                self.dmesg.setdefault(m.group(3), float(m.group(2)) * 1e6)
                continue
            m = STEP.search(line)
            if m:
                self.steps[m.group(2)] = (int(m.group(3)), float(m.group(4)),
                                          float(m.group(5) or 0))

    def fit(self):
        """The TSC as a linear function of this kernel's printk clock, from
        all its clock marks (least squares), and the largest residual in
        microseconds."""
        pts = list(self.marks.values())
        mt = sum(t for t, _ in pts) / len(pts)
        mc = sum(c for _, c in pts) / len(pts)
        rate = (sum((t - mt) * (c - mc) for t, c in pts)
                / sum((t - mt) ** 2 for t, _ in pts))
        zero = mc - rate * mt
        resid = max(abs(c - (zero + rate * t)) / rate for t, c in pts)
        return rate, zero, resid

    def rate(self):
        """TSC ticks per microsecond of this kernel's printk clock."""
        return self.fit()[0]

    def tsc(self, t_us):
        """The TSC at printk time t_us."""
        rate, zero, _ = self.fit()
        return zero + rate * t_us

    def fn(self, name, enum=False):
        if name == 'acpi_pci_root_add' and name not in self.fns:
            raise KeyError(name)
        return self.fns.get(name, (0, 0.0, 0, 0.0))[3 if enum else 1]

    def calls(self, name, enum=False):
        return self.fns.get(name, (0, 0.0, 0, 0.0))[2 if enum else 0]

    def step(self, name, median=False):
        return self.steps.get(name, (0, 0.0, 0.0))[2 if median else 1]

    def line(self, text):
        for k, v in self.dmesg.items():
            if text in k:
                return v
        return None


def kexec_run(d, n):
    """The phases of one kexec run, in microseconds."""
    k1, k2 = kernels(os.path.join(d, 'serial.log'))[:2]
    if k1.overrun or k2.overrun:
        raise KeyError('trace buffer overrun')
    if n and not k2.calls('pci_lu_in_attach', True):
        raise KeyError('pci_lu_in_attach: no lookup traced')
    r = {}
    r['k1 open+bind+attach, all 256 (user)'] = k1.step('open+bind+attach')
    r['k1 preserve (user, all ioctls)'] = k1.step('preserve')
    r['k1 pci_liveupdate_preserve'] = k1.fn('pci_liveupdate_preserve')
    e = k1.events
    r['k1 LUO freeze (liveupdate_reboot)'] = e['lub_frozen'] - e['lub_freeze']
    r['k1 device shutdown (device_shutdown)'] = e['lub_shut'] - e['lub_shutdown']
    r['k1 reboot() to end of device shutdown'] = (k1.tsc(e['lub_shut']) - k1.marks['reboot'][1]) / k1.rate()
    rate = k2.rate()
    reboot_tsc = k1.marks['reboot'][1]
    r['kexec jump + kernel 2 before its clock'] = ((k2.tsc(0.0) - reboot_tsc) / rate
                                                   - r['k1 reboot() to end of device shutdown'])
    r['k2 clock 0 to PCI enumeration'] = k2.line('PCI host bridge to bus 0000:00') or 0.0
    r['k2 PCI enumeration (acpi_pci_root_add)'] = k2.fn('acpi_pci_root_add')
    r['k2 series hooks in enumeration (traced)'] = sum(k2.fn(f, True) for f in ENUM_HOOKS)
    r['k2 of which: incoming set parse'] = k2.fn('pci_lu_in_restore', True)
    r['k2 of which: device lookups'] = k2.fn('pci_lu_in_attach', True)
    r['k2 series driver-match hooks (traced)'] = sum(k2.fn(f) for f in DRIVER_HOOKS)
    r['k2 clock 0 to /init'] = k2.line('Run /init as init process') or 0.0
    r['k2 clock 0 to VMM start'] = k2.marks['k2-user'][0]
    r['k2 LUO open (user)'] = k2.step('luo-open')
    r['k2 session retrieve (user)'] = k2.step('session-retrieve')
    r['k2 retrieve (user, all files)'] = k2.step('retrieve')
    r['k2 bind+attach (user, all files)'] = k2.step('bind+attach')
    r['k2 finish + FLB release (user)'] = k2.step('finish')
    r['k2 pci_liveupdate_finish'] = k2.fn('pci_liveupdate_finish')
    r['blackout: reboot() to last device bound'] = (k2.marks['bound'][1] - reboot_tsc) / rate
    # One ioctl per device: its median, against the odd ioctl that a busy
    # host stalls for milliseconds, which would weigh on a total
    r['_per_call'] = {'preserve': k1.step('preserve', True) * n,
                      'retrieve': k2.step('retrieve', True) * n,
                      'bind+attach': k2.step('bind+attach', True) * n}
    r['_tsc_rates'] = (k1.rate(), rate)
    r['_resid'] = max(k1.fit()[2], k2.fit()[2])
    r['_initcalls'] = k2.initcalls
    r['_k2'] = k2
    return r


def boot_run(d):
    k = kernels(os.path.join(d, 'serial.log'))[0]
    return {'enum': k.fn('acpi_pci_root_add'),
            'init': k.line('Run /init as init process') or 0.0}


def med(xs):
    return statistics.median(xs) if xs else float('nan')


def fmt(us):
    if us != us:
        return 'n/a'
    if abs(us) >= 10000:
        return '%.1f ms' % (us / 1000)
    return '%.0f us' % us if abs(us) >= 100 else '%.1f us' % us


def ratio_ci(a, b, rounds=4000):
    """95% bootstrap interval of mean(a) / mean(b)."""
    rnd = random.Random(1)
    rs = sorted(statistics.mean(rnd.choices(a, k=len(a))) / statistics.mean(rnd.choices(b, k=len(b)))
                for _ in range(rounds))
    return rs[int(0.025 * rounds)], rs[int(0.975 * rounds) - 1]


def main():
    logs, prefix = sys.argv[1], sys.argv[2]
    runs, bad = {}, []
    for d in sorted(glob.glob(os.path.join(logs, 'lu-n*-r*', ''))):
        n = int(re.search(r'lu-n(\d+)-r', d).group(1))
        try:
            r = kexec_run(d, n)
            runs.setdefault(n, []).append(r)
        except (KeyError, ZeroDivisionError, OSError) as err:
            bad.append('%s (%s)' % (os.path.basename(d.rstrip('/')), err))
    ns = sorted(runs)
    if 0 not in runs or len(ns) < 2:
        sys.exit('bench-report: needs runs with N=0 and with N>0; left out: %s' % bad)
    pos = [n for n in ns if n > 0]
    keys = [k for k in runs[ns[0]][0] if not k.startswith('_')]
    out = ['# PCI Live Update at scale: where the time goes\n',
           'QEMU TCG, q35 + intel-iommu, 2 vCPUs; 256 edu functions (64 on the root '
           'bus, 64 behind 8 root ports, 64 behind a switch, 64 behind a conventional '
           'bridge), all bound to vfio-pci, opened and attached to one iommufd in '
           'kernel 1, N of them preserved. Median of %s runs per N, with [min-max]. '
           'Kernel times from inside the guest kernels (printk times, kprobe events, '
           'function_graph); "(user)" times are ioctl times in the guest\'s VMM.\n'
           % '/'.join(str(len(runs[n])) for n in ns)]
    out += ['## Phases of one update\n',
            '| phase | ' + ' | '.join('N=%d' % n for n in ns) + ' |',
            '|---|' + '---|' * len(ns)]
    for k in keys:
        cells = []
        for n in ns:
            xs = [r[k] for r in runs[n]]
            cells.append('%s [%s-%s]' % (fmt(med(xs)), fmt(min(xs)), fmt(max(xs))))
        out.append('| %s | %s |' % (k, ' | '.join(cells)))
    rates = [x for n in ns for r in runs[n] for x in r['_tsc_rates']]
    out.append('\nTSC rate of the kernels\' printk clocks, least squares over each '
               'kernel\'s clock marks: %.1f to %.1f ticks/us; largest residual of a mark: '
               '%.0f us.\n' % (min(rates), max(rates),
                               max(r['_resid'] for n in ns for r in runs[n])))

    # Where kernel 2's boot goes (initcall_debug in kernel 2)
    top = {}
    for n in (ns[0], ns[-1]):
        for r in runs[n]:
            for f, us in r['_initcalls'].items():
                top.setdefault(f, {}).setdefault(n, []).append(us)
    if top:
        out += ['## Kernel 2 boot: its longest initcalls\n',
                'Median over the runs where the initcall was among the 8 longest.\n',
                '| initcall | N=%d | N=%d |' % (ns[0], ns[-1]), '|---|---|---|']
        for f in sorted(top, key=lambda f: -med(top[f].get(ns[-1], [0])))[:8]:
            out.append('| %s | %s | %s |' % (f, fmt(med(top[f].get(ns[0], []))),
                                              fmt(med(top[f].get(ns[-1], [])))))
        out.append('')

    # The tracer's own cost per traced call, from a hook that only tests a
    # flag, in the runs without incoming devices
    k0 = [r['_k2'] for r in runs[0]]
    over = med([k.fn(PROBE_FN, True) / k.calls(PROBE_FN, True) for k in k0 if k.calls(PROBE_FN, True)])

    def net(r, fns, enum=True):
        k = r['_k2']
        return sum(k.fn(f, enum) - k.calls(f, enum) * over for f in fns)

    out += ['## The series\' functions in kernel 2, per call\n',
            'Within PCI enumeration (the driver hooks: over the whole boot), less the '
            'tracer\'s own cost of %s per call '
            '(measured on %s, which only tests a flag on a device that is not '
            'incoming, with N=0). Calls and net time per call, median of runs.\n'
            % (fmt(over), PROBE_FN),
            '| function | ' + ' | '.join('N=%d' % n for n in ns) + ' |',
            '|---|' + '---|' * len(ns)]
    for f in ENUM_HOOKS + ['pci_lu_in_restore', 'pci_lu_in_attach'] + DRIVER_HOOKS:
        cells = []
        e = f not in DRIVER_HOOKS
        for n in ns:
            c = med([r['_k2'].calls(f, e) for r in runs[n]])
            t = med([r['_k2'].fn(f, e) for r in runs[n]])
            cells.append('%d x %s' % (c, fmt(t / c - over)) if c else '-')
        out.append('| %s | %s |' % (f, ' | '.join(cells)))

    # The series' added cost per preserved device
    z = {k: med([r[k] for r in runs[0]]) for k in keys}
    z_net = med([net(r, ENUM_HOOKS) for r in runs[0]])
    rows = [
        ('k1 preserve ioctl (median)', lambda r: r['_per_call']['preserve']),
        ('k1 of which PCI core', lambda r: r['k1 pci_liveupdate_preserve']),
        ('k1 LUO freeze, added', lambda r: r['k1 LUO freeze (liveupdate_reboot)'] - z['k1 LUO freeze (liveupdate_reboot)']),
        ('k2 series hooks in enumeration, added', lambda r: net(r, ENUM_HOOKS) - z_net),
        ('k2 retrieve ioctl (median)', lambda r: r['_per_call']['retrieve']),
        ('k2 finish + FLB release', lambda r: r['k2 finish + FLB release (user)']),
        ('k2 bind+attach (median; iommufd, not the series)', lambda r: r['_per_call']['bind+attach']),
    ]
    ref = 16 if 16 in pos else pos[0]
    out += ['\n## Added per preserved device\n',
            'Average = total / N (the series\' fixed costs weigh most at small N; for '
            'the ioctls, one per device, their median); '
            'marginal = the added total from one N to the next over the devices added, '
            'which grows with N if anything is walked once per device per device. '
            'Target: the average at N=%d at most 2x that at N=%d, and no marginal '
            'cost growing by more than 2x.\n' % (pos[-1], ref),
            '| cost per device | ' + ' | '.join('avg N=%d' % n for n in pos)
            + ' | ' + ' | '.join('marg %d-%d' % (a, b) for a, b in zip(pos, pos[1:]) if a >= ref)
            + ' | verdict |',
            '|---|' + '---|' * (len(pos) + len([a for a in pos[:-1] if a >= ref]) + 1)]
    per, ok_all = {}, True
    for name, f in rows:
        tot = {n: med([f(r) for r in runs[n]]) for n in pos}
        per[name] = [tot[n] / n for n in pos]
        marg = [(tot[b] - tot[a]) / (b - a) for a, b in zip(pos, pos[1:]) if a >= ref]
        ok = per[name][-1] <= 2 * max(per[name][pos.index(ref)], 0)
        if len(marg) > 1 and marg[0] > 0:
            ok = ok and marg[-1] <= 2 * marg[0]
        ok_all &= ok or 'not the series' in name
        out.append('| %s | %s | %s | %s |' % (name, ' | '.join(fmt(x) for x in per[name]),
                                               ' | '.join(fmt(x) for x in marg),
                                               'flat' if ok else 'GROWS'))
    out.append('\nSeries\' costs per device flat within 2x from N=%d to N=%d: %s.'
               % (ref, pos[-1], 'yes' if ok_all else 'NO'))

    # The series' share of the blackout
    out += ['\n## The series\' share of the blackout\n',
            'Upper bound of the series\' part: all of the LUO freeze (LUO\'s own '
            'serialization, vfio-pci\'s freeze of each file, the PCI FLB) + the '
            'series\' hooks in kernel 2\'s enumeration and driver binding, net of the '
            'tracer + the file '
            'retrieve ioctls (LUO\'s and vfio-pci\'s part). Not in it: iommufd '
            'bind/attach, LUO open and session retrieve, the kernels\' own boot; '
            'the series\' part of device shutdown (a command register check per '
            'preserved endpoint and bridge) is smaller than device_shutdown\'s '
            'spread between runs (see the phases) and is not separated.\n',
            '| N | blackout (median) | [min-max] | series, upper bound | share |',
            '|---|---|---|---|---|']
    for n in ns:
        xs = [r['blackout: reboot() to last device bound'] for r in runs[n]]
        s = med([r['k1 LUO freeze (liveupdate_reboot)'] + net(r, ENUM_HOOKS)
                 + net(r, DRIVER_HOOKS, False)
                 + r['k2 retrieve (user, all files)'] for r in runs[n]])
        out.append('| %d | %s | %s-%s | %s | %.2f%% |' % (n, fmt(med(xs)), fmt(min(xs)),
                                                         fmt(max(xs)), fmt(s), 100 * s / med(xs)))

    # Enumeration with Live Update off: patched vs unpatched base
    boots = {}
    for d in sorted(glob.glob(os.path.join(logs, 'off-*-r*', ''))):
        kind = re.search(r'off-(\w+)-r', d).group(1)
        try:
            boots.setdefault(kind, []).append(boot_run(d))
        except (KeyError, OSError) as err:
            bad.append('%s (%s)' % (os.path.basename(d.rstrip('/')), err))
    if len(boots.get('patched', [])) > 1 and len(boots.get('base', [])) > 1:
        out += ['\n## PCI enumeration with Live Update off, patched and unpatched\n',
                'One configuration (configs/trace.config added), `liveupdate=off kho=off`, '
                'only acpi_pci_root_add traced.\n',
                '| kernel | boots | acpi_pci_root_add mean | sd | min | max | clock 0 to /init, mean |',
                '|---|---|---|---|---|---|---|']
        for kind in ('base', 'patched'):
            e = [b['enum'] for b in boots[kind]]
            i = [b['init'] for b in boots[kind]]
            out.append('| %s | %d | %s | %s | %s | %s | %s |' % (
                kind, len(e), fmt(statistics.mean(e)), fmt(statistics.stdev(e)),
                fmt(min(e)), fmt(max(e)), fmt(statistics.mean(i))))
        pe = [b['enum'] for b in boots['patched']]
        be = [b['enum'] for b in boots['base']]
        lo, hi = ratio_ci(pe, be)
        out.append('\nRatio patched/base of the mean enumeration time: %.3f, 95%% bootstrap '
                   'interval %.3f-%.3f: %s.' % (
                       statistics.mean(pe) / statistics.mean(be), lo, hi,
                       'equal within the noise' if lo <= 1 <= hi else 'DIFFERENT'))
    else:
        bad.append('enumeration boots: fewer than 2 usable of a kind')
    if bad:
        out.append('\nRuns left out (the bench fails): ' + ', '.join(bad))
    text = '\n'.join(out) + '\n'
    with open(prefix + '.md', 'w') as f:
        f.write(text)
    print(text)

    with open(prefix + '.dat', 'w') as f:
        f.write('# N ' + ' '.join('"%s"' % name for name, _ in rows) + '\n')
        for i, n in enumerate(pos):
            f.write('%d %s\n' % (n, ' '.join('%.3f' % per[name][i] for name, _ in rows)))
    plot = ['set terminal svg size 960,640 dynamic font "sans,11"',
            'set output "%s.svg"' % prefix,
            'set title "PCI Live Update: added cost per preserved device, average (TCG QEMU, median of runs)"',
            'set xlabel "preserved devices N"', 'set ylabel "microseconds per device"',
            'set logscale x 2', 'set logscale y', 'set xtics (1, 16, 64, 256)',
            'set xrange [0.8:320]', 'set key outside below font ",10"', 'set grid',
            'set label "an added cost at or below 0 (within the noise) is not drawn" '
            'at graph 0.02, graph 0.04 font ",9"']
    plot.append('plot ' + ', '.join(
        '"%s.dat" using 1:%d with linespoints title "%s"' % (prefix, i + 2, name)
        for i, (name, _) in enumerate(rows)))
    subprocess.run(['gnuplot'], input='\n'.join(plot) + '\n', text=True, check=True)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
