# Test firmware (test/firmware/): every <prog>.c except startup.c becomes
# build/fw/<prog>.elf and build/fw/<prog>.bin for the simulated STM32F407,
# linked with startup.c and stm32f407.ld. Included by the top Makefile.

FW_DIR := test/firmware
FW_PROGS := $(filter-out startup,$(basename $(notdir $(wildcard $(FW_DIR)/*.c))))
FW_ELF := $(patsubst %,$(BUILD)/fw/%.elf,$(FW_PROGS))
FW_BIN := $(FW_ELF:.elf=.bin)
FW_CFLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -g -std=gnu11 \
             -Wall -Wextra -Werror -ffreestanding -fno-tree-loop-distribute-patterns \
             -fno-math-errno -ffunction-sections -fdata-sections
FW_LDFLAGS := -nostdlib -T $(FW_DIR)/stm32f407.ld -Wl,--gc-sections

$(BUILD)/fw/%.elf: $(FW_DIR)/%.c $(FW_DIR)/startup.c $(FW_DIR)/stm32f407.ld $(wildcard $(FW_DIR)/*.h)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FW_CFLAGS) $(FW_LDFLAGS) $< $(FW_DIR)/startup.c -lgcc -o $@

$(BUILD)/fw/%.bin: $(BUILD)/fw/%.elf
	arm-none-eabi-objcopy -O binary $< $@

EXTRA_ALL += $(FW_ELF) $(FW_BIN)
UNIT_DEPS += $(FW_BIN)
BENCH_DEPS += $(FW_BIN)

# Flash tests (issue 7): demo.elf as Intel HEX, and two variants of demo.c
# that differ only in demo_scale, linked at 0x08004000 (sector 1), so that
# reloading v2 over v1 must erase sector 1 alone.
FW_FLASH_TEST := $(BUILD)/fw/demo.hex $(BUILD)/fw/demo_v1.elf $(BUILD)/fw/demo_v2.elf

$(BUILD)/fw/%.hex: $(BUILD)/fw/%.elf
	arm-none-eabi-objcopy -O ihex $< $@

$(BUILD)/fw/demo_v%.elf: $(FW_DIR)/demo.c $(FW_DIR)/startup.c $(FW_DIR)/stm32f407.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FW_CFLAGS) -DDEMO_VARIANT=$* $(FW_LDFLAGS) -Wl,--section-start=.demo_sector1=0x08004000 \
		$< $(FW_DIR)/startup.c -lgcc -o $@

EXTRA_ALL += $(FW_FLASH_TEST)

# STM32H7 test firmware (issue 12): for each of the H743 and the H725 the
# demo (demo.c) and an image spanning both banks of the H743 / two distant
# sectors of the H725 (big.c with BIG_SECOND), built for the Cortex-M7 with
# FPv5 double precision and linked with test/firmware/h7/stm32<chip>.ld.
FW_H7_CHIPS := h743 h725
FW_H7_CFLAGS := $(subst -mcpu=cortex-m4,-mcpu=cortex-m7,$(subst -mfpu=fpv4-sp-d16,-mfpu=fpv5-d16,$(FW_CFLAGS))) \
                -DFW_NIRQ=150
FW_H7_ELF := $(foreach c,$(FW_H7_CHIPS),$(BUILD)/fw/$(c)_demo.elf $(BUILD)/fw/$(c)_big.elf)

$(BUILD)/fw/h7%_demo.elf: $(FW_DIR)/demo.c $(FW_DIR)/startup.c $(FW_DIR)/h7/stm32h7%.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FW_H7_CFLAGS) -nostdlib -T $(FW_DIR)/h7/stm32h7$*.ld -Wl,--gc-sections $< $(FW_DIR)/startup.c -lgcc -o $@

$(BUILD)/fw/h7%_big.elf: $(FW_DIR)/big.c $(FW_DIR)/startup.c $(FW_DIR)/h7/stm32h7%.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FW_H7_CFLAGS) -DBIG_SECOND -nostdlib -T $(FW_DIR)/h7/stm32h7$*.ld -Wl,--gc-sections $< $(FW_DIR)/startup.c -lgcc -o $@

EXTRA_ALL += $(FW_H7_ELF) $(FW_H7_ELF:.elf=.bin)
UNIT_DEPS += $(FW_H7_ELF) $(FW_H7_ELF:.elf=.bin)

# The GDB suite's H7 program (test/e2e/gdb_h7.py): h7/h7cache.c with the
# M7 caches on and code in ITCM and AXI SRAM, and its v2 that differs in
# flash_value's constant alone (a `load` without reset must run it).
FW_H7_CACHE := $(foreach c,$(FW_H7_CHIPS),$(BUILD)/fw/$(c)_cache.elf $(BUILD)/fw/$(c)_cache_v2.elf)

$(BUILD)/fw/h7%_cache.elf: $(FW_DIR)/h7/h7cache.c $(FW_DIR)/startup.c $(FW_DIR)/h7/stm32h7%.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FW_H7_CFLAGS) -nostdlib -T $(FW_DIR)/h7/stm32h7$*.ld -Wl,--gc-sections $< $(FW_DIR)/startup.c -lgcc -o $@

$(BUILD)/fw/h7%_cache_v2.elf: $(FW_DIR)/h7/h7cache.c $(FW_DIR)/startup.c $(FW_DIR)/h7/stm32h7%.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FW_H7_CFLAGS) -DCACHE_VARIANT=2 -nostdlib -T $(FW_DIR)/h7/stm32h7$*.ld -Wl,--gc-sections $< $(FW_DIR)/startup.c -lgcc -o $@

EXTRA_ALL += $(FW_H7_CACHE)
