/* SPDX-License-Identifier: MIT */
/*
 * The PROCMAP_QUERY ioctl on /proc/PID/maps (Linux 6.11+), for pkg/procmaps.c
 * and the benchmark's floor tool (tests/bench/vmafloor.c).
 */
#pragma once

#include <stdint.h>
#include <sys/ioctl.h>

/* linux/fs.h of 6.11+; Debian 12's headers lack it.  Size-versioned ABI. */
struct procmap_query_v1 {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};

#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query_v1)
#define PROCMAP_QUERY_VMA_READABLE 0x01
#define PROCMAP_QUERY_VMA_WRITABLE 0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_VMA_SHARED 0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

/*
 * The first executable VMA at or above @addr into @q, its name into @name
 * (@name_size bytes; 0: no name).  0, or -1 with errno (ENOENT: none left).
 */
static inline int procmap_query_next_exec(int fd, uint64_t addr, char *name, uint32_t name_size,
					  struct procmap_query_v1 *q)
{
	*q = (struct procmap_query_v1){
		.size = sizeof(*q),
		.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA | PROCMAP_QUERY_VMA_EXECUTABLE,
		.query_addr = addr,
		.vma_name_size = name_size,
		.vma_name_addr = (uint64_t)(uintptr_t)name,
	};
	return ioctl(fd, PROCMAP_QUERY_IOCTL, q);
}
