#!/usr/bin/env python3
# qemu-nmi.py <monitor socket>: print the registers of every vCPU of a
# hung guest, then inject an NMI (the guest panics and dumps its state).
import socket
import sys
import time

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)


def cmd(line):
    s.sendall(line.encode() + b"\n")
    time.sleep(2)
    try:
        print(s.recv(1 << 20).decode(errors="replace"))
    except socket.timeout:
        pass


cmd("info registers -a")
cmd("nmi")
