# swdd-lab: the emulated probes as USB devices under umockdev (sim/lab/lab.h).
# Included by the top Makefile. Only glib's own headers need a warning relaxed
# (umockdev.h declares GObject casts that trip -Wcast-function-type here).
LAB_SRC := $(wildcard sim/lab/*.c)
LAB_BIN := $(BUILD)/swdd-lab
LAB_PKG_CFLAGS := $(shell pkg-config --cflags umockdev-1.0 2>/dev/null)
LAB_PKG_LIBS := $(shell pkg-config --libs umockdev-1.0 2>/dev/null)
LAB_OBJ := $(patsubst %.c,$(BUILD)/lab/%.o,$(LAB_SRC))

EXTRA_ALL += $(LAB_BIN)
TEST_DEPS += $(LAB_BIN)

$(BUILD)/lab/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=gnu11 -g $(WARN) -Isim -Isim/lab $(LAB_PKG_CFLAGS) -MMD -MP -c $< -o $@

$(LAB_BIN): $(LAB_OBJ) $(BUILD)/libswddsim.a
	$(CC) $^ $(LAB_PKG_LIBS) $(PKG_LIBS) -o $@
