# The lab as a shared object, opened by swdd only for --probe sim
# (server/lab_dl.c): the lab's sources compiled position-independent, with
# Unicorn. Symbols bind inside it (-Bsymbolic), never to swdd's forwards.
LAB_SO := $(BUILD)/libswdd-lab.so
pic_obj = $(patsubst %.c,$(BUILD)/pic/%.o,$(1))
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC $(call layer_inc,$<) -c $< -o $@
$(LAB_SO): $(call pic_obj,$(SIM_SRC))
	$(CC) -shared -Wl,-Bsymbolic $^ $(shell pkg-config --libs unicorn 2>/dev/null) -lpthread -lm -o $@
EXTRA_ALL += $(LAB_SO)

# server/ fragment: the libFuzzer targets for the RSP parser and the file
# parsers (server/fuzz_files.c: ELF, Intel HEX, FLM).
#   build/fuzz_rsp, build/fuzz_elf, build/fuzz_hex, build/fuzz_flm
#                    clang -fsanitize=fuzzer,address,undefined
#   make fuzz        runs each for FUZZ_SECONDS (default 600)
# `make test` runs the RSP one for 60 s (test/e2e/fuzz_rsp.sh) and each file
# parser for a few seconds from the seeds in test/fuzz/ (test/e2e/fuzz_files.sh).

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_RSP := $(BUILD)/fuzz_rsp
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -Iserver -Icommon

$(FUZZ_RSP): server/fuzz_rsp.c server/rsp.c server/rsp.h
	@mkdir -p $(BUILD)
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(FUZZ_CC) $(FUZZ_FLAGS) server/fuzz_rsp.c server/rsp.c -o $@ || \
		{ echo "fuzz_rsp: $(FUZZ_CC) could not build the libFuzzer target (see above)"; rm -f $@; }; \
	else echo "fuzz_rsp: $(FUZZ_CC) not found: the fuzz test will SKIP"; fi

# The file parsers with the libelf they use; flm.c needs the embedded
# algorithms (swdd_flm_builtins), the seeds need the built ones.
FUZZ_FILE_KINDS := elf hex flm
FUZZ_FILES := $(patsubst %,$(BUILD)/fuzz_%,$(FUZZ_FILE_KINDS))
FUZZ_FILE_SRC := server/fuzz_files.c flash/image.c flash/flm.c common/swdd_err.c \
	common/swdd_file.c $(BUILD)/gen/flashalgo_builtin.c

$(BUILD)/fuzz_%: $(FUZZ_FILE_SRC) flash/image.h flash/flm.h flash/file_bounds.h $(FLASHALGO_FLM)
	@mkdir -p $(BUILD)
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(FUZZ_CC) $(FUZZ_FLAGS) -Iflash -DFUZZ_$(shell echo $* | tr a-z A-Z) \
			$(FUZZ_FILE_SRC) -lelf -o $@ || \
		{ echo "fuzz_$*: $(FUZZ_CC) could not build the libFuzzer target (see above)"; rm -f $@; }; \
	else echo "fuzz_$*: $(FUZZ_CC) not found: the fuzz test will SKIP"; fi

# Best effort: a missing clang makes the e2e script SKIP, not the build fail.
TEST_DEPS += $(FUZZ_RSP) $(FUZZ_FILES)

fuzz: $(FUZZ_RSP) $(FUZZ_FILES)
	@test -x $(FUZZ_RSP) || { echo "fuzz: $(FUZZ_RSP) not built (clang with libFuzzer needed)"; exit 1; }
	@mkdir -p $(BUILD)/fuzz_rsp_corpus
	$(FUZZ_RSP) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(BUILD)/fuzz_rsp_corpus
	SWDD_FUZZ_FILES_SECONDS=$(FUZZ_SECONDS) SWDD_FUZZ_KEEP_CORPUS=1 sh test/e2e/fuzz_files.sh

# The structured RSP fuzzer over TCP against the lab (test/e2e/fuzz_net.py):
# `make test` runs it for 20 s with a fixed seed, `make fuzz` for
# FUZZ_SECONDS with a new seed (printed in its result line).
.PHONY: fuzz-net
fuzz: fuzz-net
fuzz-net: $(SWDD_BIN)
	SWDD_BUILD=$(BUILD) SWDD_FUZZ_NET_SECONDS=$(FUZZ_SECONDS) SWDD_FUZZ_NET_SEED=$$(date +%s) \
		test/e2e/fuzz_net.py
# the flash benchmark's smoke test (test/e2e/bench_smoke.sh) needs it built
TEST_DEPS += $(BUILD)/bench_flash
