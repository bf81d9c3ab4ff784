# server/ fragment: the libFuzzer target for the RSP parser.
#   build/fuzz_rsp   clang -fsanitize=fuzzer,address,undefined
#   make fuzz        runs it for FUZZ_SECONDS (default 600)
# `make test` runs it for 60 s through test/e2e/fuzz_rsp.sh.

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

# Best effort: a missing clang makes the e2e script SKIP, not the build fail.
TEST_DEPS += $(FUZZ_RSP)

fuzz: $(FUZZ_RSP)
	@test -x $(FUZZ_RSP) || { echo "fuzz: $(FUZZ_RSP) not built (clang with libFuzzer needed)"; exit 1; }
	@mkdir -p $(BUILD)/fuzz_rsp_corpus
	$(FUZZ_RSP) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(BUILD)/fuzz_rsp_corpus

# The structured RSP fuzzer over TCP against the lab (test/e2e/fuzz_net.py):
# `make test` runs it for 20 s with a fixed seed, `make fuzz` for
# FUZZ_SECONDS with a new seed (printed in its result line).
.PHONY: fuzz-net
fuzz: fuzz-net
fuzz-net: $(SWDD_BIN)
	SWDD_BUILD=$(BUILD) SWDD_FUZZ_NET_SECONDS=$(FUZZ_SECONDS) SWDD_FUZZ_NET_SEED=$$(date +%s) \
		test/e2e/fuzz_net.py
