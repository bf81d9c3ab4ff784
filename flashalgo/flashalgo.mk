# Flash algorithms (CMSIS-Pack FLM convention), built from C with
# arm-none-eabi-gcc into position-independent ELF files. The built-in ones are
# embedded into swdd as generated C arrays (build/gen/flashalgo_builtin.c) and
# parsed at run time through the same libelf path as external .FLM files.
FLM_CFLAGS := -mcpu=cortex-m4 -mthumb -Os -fpie -ffreestanding -fno-builtin \
              -nostdlib -nostartfiles -Wall -Wextra -Werror -Iflashalgo \
              -T flashalgo/flm.ld -Wl,--no-dynamic-linker -Wl,-static
FLM_DEPS := flashalgo/flm_target.h flashalgo/crc32.h flashalgo/flm.ld

# Every family's algorithm, flashalgo/stm32<family>.c, is built and embedded
# under its file name (the name a family descriptor's builtin_algo gives).
FLASHALGO_NAMES := $(basename $(notdir $(wildcard flashalgo/stm32*.c)))
FLASHALGO_FLM := $(patsubst %,$(BUILD)/flashalgo/%.flm,$(FLASHALGO_NAMES))

$(BUILD)/flashalgo/%.flm: flashalgo/%.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) $< -o $@

# A family's algorithm variants: the same source with other -D flags,
# embedded under their own names (a descriptor's `variants` name them).
# STM32F4: x8 and x16 (PSIZE 0 and 1) for supplies below 2.7 V (RM0090 3.6
# table 7); the x8 one is also shipped as a .FLM file (--flash-algo).
$(BUILD)/flashalgo/stm32f4_x8.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_PSIZE=0 $< -o $@

$(BUILD)/flashalgo/stm32f4_x16.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_PSIZE=1 $< -o $@

# STM32H7 test variant: the algorithm without its IWDG1 refresh, a loader
# that lets the firmware's watchdog expire during an erase (test/e2e/
# h7_verify.py, test_h7_flash); shipped as a .FLM file only.
$(BUILD)/flashalgo/stm32h7_no_iwdg.flm: flashalgo/stm32h7.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_IWDG_REFRESH=0 $< -o $@

# STM32F4 test variant: the algorithm without its IWDG refresh, as a vendor
# loader that does not refresh it (test/e2e/fault_inject.py, test_f4_iwdg);
# shipped as a .FLM file only.
$(BUILD)/flashalgo/stm32f4_no_iwdg.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_IWDG_REFRESH=0 $< -o $@

# swdd's own checksum routine: code only (PrgCode, no DevDscr), loaded beside
# any algorithm, vendor FLMs included (flash/algo_run.h).
$(BUILD)/flashalgo/swdd_crc.elf: flashalgo/swdd_crc.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -Wl,-e,Crc32 $< -o $@

FLM_EMBED := $(foreach n,$(FLASHALGO_NAMES),$(n):$(BUILD)/flashalgo/$(n).flm) \
             stm32f4_x16:$(BUILD)/flashalgo/stm32f4_x16.flm \
             stm32f4_x8:$(BUILD)/flashalgo/stm32f4_x8.flm swdd_crc:$(BUILD)/flashalgo/swdd_crc.elf

$(BUILD)/gen/flashalgo_builtin.c: $(foreach e,$(FLM_EMBED),$(lastword $(subst :, ,$(e)))) \
		flashalgo/embed.sh
	@mkdir -p $(dir $@)
	sh flashalgo/embed.sh $@ $(FLM_EMBED)

GEN_SRC += $(BUILD)/gen/flashalgo_builtin.c
EXTRA_ALL += $(BUILD)/flashalgo/stm32f4_x8.flm $(BUILD)/flashalgo/stm32h7_no_iwdg.flm \
             $(BUILD)/flashalgo/stm32f4_no_iwdg.flm
