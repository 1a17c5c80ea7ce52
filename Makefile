# vigil - one entry point: build, test, install, run, demo.
#   make            build kmod/vigil.ko and userspace/vigil
#   make test       install what the tests need, then run every test layer
#   make fuzz       the libFuzzer targets (VIGIL_FUZZ_SECONDS each, default 20)
#   make bench      benchmarks (figures, no verdicts)
#   make run        build, load the module, run `vigil run` (needs a host that loads modules)
#   make demo       the same inside a QEMU VM, with a short scripted attack
#   make install    engine, rules, config, systemd unit; `dkms install` for the module

SHELL := /bin/bash
PREFIX ?= /usr/local

# Kernel headers: the running kernel's, else the newest installed Debian ones.
KDIR ?= $(shell scripts/kdir.sh)

.PHONY: all kmod userspace deps test clean install run demo asan fuzz bench

all: kmod userspace

deps:
	@bash scripts/deps.sh

kmod:
	@echo "kmod: building against $(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

userspace:
	$(MAKE) -C userspace

asan:
	$(MAKE) -C userspace asan

test: deps
	@bash test/run.sh

bench: deps all
	@bash test/bench/run.sh

# libFuzzer targets, VIGIL_FUZZ_SECONDS each (default 20; VIGIL_FUZZ_ONLY=name)
fuzz: deps
	@bash test/fuzz/run.sh

run: deps all
	@bash scripts/run.sh

demo: deps all
	@bash scripts/demo.sh

install: all
	@bash scripts/install.sh "$(PREFIX)"

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	$(MAKE) -C userspace clean
	rm -rf build
