# PCI device preservation across kexec Live Update: series and harness.
# See README.md. Every target is one script under scripts/.
SHELL := /bin/bash
S := scripts

.PHONY: all deps tree export kernel lint bisect kunit selftest check demo bench clean
all: check

deps:
	@$(S)/deps.sh
tree:
	@$(S)/tree.sh
export:
	@$(S)/export.sh
kernel:
	@$(S)/kernel.sh debug
lint:
	@$(S)/lint.sh
bisect:
	@$(S)/bisect.sh
kunit:
	@$(S)/kunit.sh
selftest:
	@$(S)/selftest.sh
check:
	@$(S)/check.sh
bench:
	@$(S)/bench.sh
demo:
	@$(S)/demo.sh
clean:
	rm -rf build
