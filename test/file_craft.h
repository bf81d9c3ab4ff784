/*
 * Crafted files for the parser tests (test_image, test_flm): a FIFO, and
 * ELF64 files whose bytes are laid out here by hand (System V gABI: ELF
 * header, program header, section header), so that a test can give any
 * field any value, including the ones a linker never writes.
 */
#ifndef SWDD_TEST_FILE_CRAFT_H
#define SWDD_TEST_FILE_CRAFT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes a FIFO named name in a new directory under /tmp; path receives
 * its path. Returns 0 or -1. */
static inline int craft_fifo(char path[64], const char *name)
{
	strcpy(path, "/tmp/swdd_test_fifoXXXXXX");
	if (!mkdtemp(path))
		return -1;
	strcat(path, "/");
	strcat(path, name);
	return mkfifo(path, 0600);
}

static inline void craft_fifo_remove(char path[64])
{
	unlink(path);
	*strrchr(path, '/') = 0;
	rmdir(path);
}

#define CRAFT_EHDR 64u /* Elf64_Ehdr */
#define CRAFT_PHDR 56u /* Elf64_Phdr */
#define CRAFT_SHDR 64u /* Elf64_Shdr */

static inline void craft_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* ELF header of a little-endian ELF64 for EM_ARM (40). */
static inline void craft_ehdr(uint8_t *b, uint64_t phoff, unsigned phnum, uint64_t shoff, unsigned shnum,
			      unsigned shstrndx)
{
	memcpy(b,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	craft_le(b + 16, 2, 2);  /* ET_EXEC */
	craft_le(b + 18, 40, 2); /* EM_ARM */
	craft_le(b + 20, 1, 4);  /* EV_CURRENT */
	craft_le(b + 32, phoff, 8);
	craft_le(b + 40, shoff, 8);
	craft_le(b + 52, CRAFT_EHDR, 2);
	craft_le(b + 54, CRAFT_PHDR, 2);
	craft_le(b + 56, phnum, 2);
	craft_le(b + 58, CRAFT_SHDR, 2);
	craft_le(b + 60, shnum, 2);
	craft_le(b + 62, shstrndx, 2);
}

/* One PT_LOAD program header. */
static inline void craft_phdr(uint8_t *p, uint64_t offset, uint64_t paddr, uint64_t filesz)
{
	craft_le(p, 1, 4); /* PT_LOAD */
	craft_le(p + 8, offset, 8);
	craft_le(p + 16, paddr, 8);
	craft_le(p + 24, paddr, 8);
	craft_le(p + 32, filesz, 8);
	craft_le(p + 40, filesz, 8);
}

/* One section header. */
static inline void craft_shdr(uint8_t *p, unsigned name, unsigned type, uint64_t addr, uint64_t offset,
			      uint64_t size)
{
	craft_le(p, name, 4);
	craft_le(p + 4, type, 4);
	craft_le(p + 16, addr, 8);
	craft_le(p + 24, offset, 8);
	craft_le(p + 32, size, 8);
	craft_le(p + 48, 1, 8);
}

/* An ELF64 image of one PT_LOAD segment with 16 bytes of data after the
 * headers, whose offset, load address and size the caller chooses
 * (offset 0 places it after the headers). Returns the file size. */
static inline size_t craft_elf_segment(uint8_t buf[256], uint64_t offset, uint64_t paddr, uint64_t filesz)
{
	size_t data = CRAFT_EHDR + CRAFT_PHDR;

	memset(buf, 0, 256);
	craft_ehdr(buf, CRAFT_EHDR, 1, 0, 0, 0);
	craft_phdr(buf + CRAFT_EHDR, offset ? offset : data, paddr, filesz);
	for (unsigned i = 0; i < 16; i++)
		buf[data + i] = (uint8_t)(0xA0 + i);
	return data + 16;
}

/* An ELF64 "FLM" with sections PrgCode (16 bytes at 0) and PrgData (32
 * bytes of data at data_addr), and the section name table. Returns the
 * file size (at most 512). */
static inline size_t craft_flm_sections(uint8_t buf[512], uint64_t data_addr)
{
	static const char names[] = "\0PrgCode\0PrgData\0.shstrtab";
	size_t code = CRAFT_EHDR, data = code + 16, str = data + 32, sh = str + sizeof(names);

	sh = (sh + 7) & ~(size_t)7;
	memset(buf, 0, 512);
	craft_ehdr(buf, 0, 0, sh, 4, 3);
	memcpy(buf + str, names, sizeof(names));
	craft_shdr(buf + sh + CRAFT_SHDR, 1, 1 /* SHT_PROGBITS */, 0, code, 16);
	craft_shdr(buf + sh + 2 * CRAFT_SHDR, 9, 1, data_addr, data, 32);
	craft_shdr(buf + sh + 3 * CRAFT_SHDR, 17, 3 /* SHT_STRTAB */, 0, str, sizeof(names));
	memset(buf + data, 0x5A, 32);
	return sh + 4 * CRAFT_SHDR;
}

#endif
