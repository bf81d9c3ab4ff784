# swdd: GDB server for STM32 over SWD.  See README.md.
#
#   make run     build everything and start swdd on the simulated lab
#   make test    build and run every test (unit tests under ASan+UBSan, e2e)
#   make bench   print the benchmarks
#   make install PREFIX=/usr/local DESTDIR=   (swdd, swdd-st-util, man page, data)
#   make install-udev                           (as root: the udev rules)
#   make uninstall, make uninstall-udev
#
# Every target first makes sure the Debian packages are present
# (scripts/deps.sh installs them as root, or prints the sudo command): the
# build set for make and make install, the test set for test, unit, bench
# and fuzz. SWDD_DEPS=print prints the list and goes on (other
# distributions), SWDD_DEPS=skip does not look.

SWDD_DEPS ?= check
DEPS_SET := $(if $(filter test unit bench fuzz,$(MAKECMDGOALS)),test,build)
ifeq ($(filter clean uninstall uninstall-udev,$(MAKECMDGOALS)),)
ifeq ($(SWDD_DEPS),print)
DEPS_LIST := $(shell sh scripts/deps.sh $(DEPS_SET) --print)
$(info swdd needs ($(DEPS_SET) set, Debian names): $(DEPS_LIST))
else ifneq ($(SWDD_DEPS),skip)
DEPS_OK := $(shell sh scripts/deps.sh $(DEPS_SET) >&2 && echo yes)
ifneq ($(DEPS_OK),yes)
$(error missing Debian packages: see the message above)
endif
endif
endif

.DEFAULT_GOAL := all
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build
CC := gcc
ARM_CC := arm-none-eabi-gcc
PKGS := unicorn libusb-1.0 hidapi-libusb libelf
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

# Layers (docs/ARCHITECTURE.md): each directory is compiled with the include
# paths of the layers it may use and no others, so an upward or sideways
# #include does not compile; test/e2e/lint.sh checks the #include lines too.
#   server -> flash (flash/, flashalgo/) -> targets -> probe -> common
#   sim/ sees only sim/. probe/probe.c and probe/transport_sim.c (the
#   in-process transport) and server/ (which starts the lab) see the lab's
#   public headers, copied alone into $(PUB_SIM).
PUB_SIM := $(BUILD)/pub/sim
PUB_SIM_HDRS := $(PUB_SIM)/sim.h $(PUB_SIM)/sim_probe.h
INC_common := -Icommon
INC_probe := -Icommon -Iprobe
INC_targets := -Icommon -Iprobe -Itargets -I$(BUILD)/gen
INC_flash := -Icommon -Iprobe -Itargets -Iflash -Iflashalgo
INC_server := -Icommon -Iprobe -Itargets -Iflash -Iserver -I$(PUB_SIM)
INC_sim := -Isim
INC_$(BUILD) := -Icommon -Iflash
INC_test := $(INCLUDES) -Itest
INC_FILE_probe/probe.c := -I$(PUB_SIM)
INC_FILE_probe/transport_sim.c := -I$(PUB_SIM)
layer_inc = $(INC_$(firstword $(subst /, ,$(1)))) $(INC_FILE_$(1))
# Tests and benchmarks reach into every layer.
INCLUDES := -Icommon -Isim -Iprobe -Itargets -Iserver -Iflash -Iflashalgo -I$(BUILD)/gen
WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers
CFLAGS_COMMON := -std=gnu2x -g $(WARN) $(PKG_CFLAGS) -MMD -MP
CFLAGS := -O2 $(CFLAGS_COMMON)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS_ASAN := -O1 $(SAN) $(CFLAGS_COMMON)

# ---- sources ------------------------------------------------------------
SIM_SRC := $(wildcard sim/*.c)
LIB_SRC := $(wildcard common/*.c probe/*.c targets/*.c targets/stm32/*.c flash/*.c) \
           $(filter-out server/main.c server/lab_dl.c server/fuzz_%.c,$(wildcard server/*.c))
# Generated sources (embedded flash algorithms, target XML...) are appended
# by the module fragments below through GEN_SRC.
GEN_SRC :=

# Module fragments add their own rules (firmware, flash algorithms, lab, fuzz).
-include test/firmware/firmware.mk flashalgo/flashalgo.mk sim/lab/lab.mk server/server.mk targets/targets.mk

ALL_LIB_SRC = $(LIB_SRC) $(GEN_SRC)
obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
asan_obj = $(patsubst %.c,$(BUILD)/asan/%.o,$(1))

SIM_LIB := $(BUILD)/libswddsim.a
SWDD_LIB := $(BUILD)/libswdd.a
SIM_LIB_ASAN := $(BUILD)/asan/libswddsim.a
SWDD_LIB_ASAN := $(BUILD)/asan/libswdd.a

UNIT_SRC := $(wildcard test/unit/test_*.c)
UNIT_BIN := $(patsubst test/unit/%.c,$(BUILD)/asan/%,$(UNIT_SRC))
BENCH_SRC := $(wildcard test/bench/bench_*.c)
BENCH_BIN := $(patsubst test/bench/%.c,$(BUILD)/%,$(BENCH_SRC))
E2E := $(sort $(wildcard test/e2e/*.sh test/e2e/*.py))

SWDD_BIN := $(BUILD)/swdd

.PHONY: all run test unit bench clean install install-udev uninstall uninstall-udev fuzz
all: $(SWDD_BIN) $(EXTRA_ALL)

# Kept (not intermediate): objects depend on them through their .d files.
.SECONDARY: $(PUB_SIM_HDRS)
$(PUB_SIM)/%.h: sim/%.h
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/obj/%.o: %.c | $(PUB_SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(call layer_inc,$<) -c $< -o $@

$(BUILD)/asan/%.o: %.c | $(PUB_SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ASAN) $(call layer_inc,$<) -c $< -o $@

$(SIM_LIB): $(call obj,$(SIM_SRC))
	@rm -f $@; ar rcs $@ $^
$(SWDD_LIB): $(call obj,$(ALL_LIB_SRC))
	@rm -f $@; ar rcs $@ $^
$(SIM_LIB_ASAN): $(call asan_obj,$(SIM_SRC))
	@rm -f $@; ar rcs $@ $^
$(SWDD_LIB_ASAN): $(call asan_obj,$(ALL_LIB_SRC))
	@rm -f $@; ar rcs $@ $^

# swdd is linked without the lab and Unicorn: server/lab_dl.c opens the lab
# (libswdd-lab.so, server/server.mk) only for --probe sim.
SWDD_PKG_LIBS := $(shell pkg-config --libs libusb-1.0 hidapi-libusb libelf 2>/dev/null) -ldl -lpthread -lm
$(SWDD_BIN): $(call obj,server/main.c server/lab_dl.c) $(SWDD_LIB) | $(LAB_SO)
	$(CC) $(CFLAGS) $(call obj,server/main.c server/lab_dl.c) $(SWDD_LIB) $(SWDD_PKG_LIBS) -o $@

$(BUILD)/asan/test_%: test/unit/test_%.c $(call asan_obj,test/harness.c) $(SWDD_LIB_ASAN) $(SIM_LIB_ASAN) $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ASAN) $(INCLUDES) -Itest $< $(call asan_obj,test/harness.c) $(SWDD_LIB_ASAN) $(SIM_LIB_ASAN) $(PKG_LIBS) -o $@

$(BUILD)/bench_%: test/bench/bench_%.c $(SWDD_LIB) $(SIM_LIB) $(BENCH_DEPS)
	$(CC) $(CFLAGS) $(INCLUDES) -Itest $< $(SWDD_LIB) $(SIM_LIB) $(PKG_LIBS) -o $@

# The test harness object is shared by every unit test: keep it (make would
# delete it as an intermediate and print that after the totals line).
.SECONDARY: $(call asan_obj,test/harness.c)

unit: $(UNIT_BIN)

test: all $(UNIT_BIN) $(TEST_DEPS)
	@SWDD_BUILD=$(CURDIR)/$(BUILD) test/run.sh $(UNIT_BIN) $(E2E) $(EXTRA_TESTS)

bench: all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done
	@test/bench/rss.sh
	@test/bench/side_by_side.sh

run: all $(RUN_DEPS)
	@scripts/run.sh

-include scripts/install.mk

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
