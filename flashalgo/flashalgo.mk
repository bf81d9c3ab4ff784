# Flash algorithms (CMSIS-Pack FLM convention), built from C with
# arm-none-eabi-gcc into position-independent ELF files. The built-in ones are
# embedded into swdd as generated C arrays (build/gen/flashalgo_builtin.c) and
# parsed at run time through the same libelf path as external .FLM files.
FLM_CFLAGS := -mcpu=cortex-m4 -mthumb -Os -fpie -ffreestanding -fno-builtin \
              -nostdlib -nostartfiles -Wall -Wextra -Werror -Iflashalgo \
              -T flashalgo/flm.ld -Wl,--no-dynamic-linker -Wl,-static
FLM_DEPS := flashalgo/flm.h flashalgo/crc32.h flashalgo/flm.ld

$(BUILD)/flashalgo/stm32f4.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) $< -o $@

# The x8 and x16 variants (PSIZE 0 and 1, for supplies below 2.7 V, RM0090
# 3.6 table 7); the x8 one is also shipped as a .FLM file (--flash-algo).
$(BUILD)/flashalgo/stm32f4_x8.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_PSIZE=0 $< -o $@

$(BUILD)/flashalgo/stm32f4_x16.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_PSIZE=1 $< -o $@

# swdd's own checksum routine: code only (PrgCode, no DevDscr), loaded beside
# any algorithm, vendor FLMs included (flash/algo_run.h).
$(BUILD)/flashalgo/swdd_crc.elf: flashalgo/swdd_crc.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -Wl,-e,Crc32 $< -o $@

FLM_EMBED := stm32f4:$(BUILD)/flashalgo/stm32f4.flm stm32f4_x16:$(BUILD)/flashalgo/stm32f4_x16.flm \
             stm32f4_x8:$(BUILD)/flashalgo/stm32f4_x8.flm swdd_crc:$(BUILD)/flashalgo/swdd_crc.elf

$(BUILD)/gen/flashalgo_builtin.c: $(foreach e,$(FLM_EMBED),$(lastword $(subst :, ,$(e)))) \
		flashalgo/embed.sh
	@mkdir -p $(dir $@)
	sh flashalgo/embed.sh $@ $(FLM_EMBED)

GEN_SRC += $(BUILD)/gen/flashalgo_builtin.c
EXTRA_ALL += $(BUILD)/flashalgo/stm32f4_x8.flm
