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

# Stand-alone x8 variant, shipped as a .FLM file (used through --flash-algo).
$(BUILD)/flashalgo/stm32f4_x8.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_X8 $< -o $@

# swdd's own checksum routine: code only (PrgCode, no DevDscr), loaded beside
# any algorithm, vendor FLMs included (flash/algo_run.h).
$(BUILD)/flashalgo/swdd_crc.elf: flashalgo/swdd_crc.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -Wl,-e,Crc32 $< -o $@

$(BUILD)/gen/flashalgo_builtin.c: $(BUILD)/flashalgo/stm32f4.flm $(BUILD)/flashalgo/swdd_crc.elf \
		flashalgo/embed.sh
	@mkdir -p $(dir $@)
	sh flashalgo/embed.sh $@ stm32f4:$(BUILD)/flashalgo/stm32f4.flm \
		swdd_crc:$(BUILD)/flashalgo/swdd_crc.elf

GEN_SRC += $(BUILD)/gen/flashalgo_builtin.c
EXTRA_ALL += $(BUILD)/flashalgo/stm32f4_x8.flm
