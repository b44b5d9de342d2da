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
