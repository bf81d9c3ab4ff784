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

# Stand-alone x8 variant, shipped as a .FLM file (used through --flash-algo).
$(BUILD)/flashalgo/stm32f4_x8.flm: flashalgo/stm32f4.c $(FLM_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(FLM_CFLAGS) -DFLM_X8 $< -o $@

$(BUILD)/gen/flashalgo_builtin.c: $(FLASHALGO_FLM) flashalgo/embed.sh
	@mkdir -p $(dir $@)
	sh flashalgo/embed.sh $@ $(foreach n,$(FLASHALGO_NAMES),$(n):$(BUILD)/flashalgo/$(n).flm)

GEN_SRC += $(BUILD)/gen/flashalgo_builtin.c
EXTRA_ALL += $(BUILD)/flashalgo/stm32f4_x8.flm
