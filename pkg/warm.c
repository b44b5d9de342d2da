/* SPDX-License-Identifier: MIT */
#include "warm.h"

#include <elf.h>
#include <fcntl.h>
#include <numaif.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

#define MASK_LONGS (IDSET_MAX / (8 * sizeof(unsigned long)))

int warm_open(const char *path, uint64_t max_size)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!max_size)
		max_size = WARM_FILE_MAX;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max_size)
		return -EFBIG;
	return TAKE_FD(fd);
}

struct saved_policy {
	int mode;
	unsigned long mask[MASK_LONGS];
};

static int save_policy(struct saved_policy *s)
{
	memset(s, 0, sizeof(*s));
	if (get_mempolicy(&s->mode, s->mask, IDSET_MAX + 1, NULL, 0) < 0)
		return negative_errno();
	return 0;
}

static void restore_policy(const struct saved_policy *s)
{
	if (s->mode == MPOL_DEFAULT)
		(void)set_mempolicy(MPOL_DEFAULT, NULL, 0);
	else
		(void)set_mempolicy(s->mode, s->mask, IDSET_MAX + 1);
}

/* DRAM nodes with memory that this thread's cpuset allows. */
static int usable_dram(const struct topology *topo, struct idset *ret)
{
	unsigned long allowed[MASK_LONGS] = { 0 };
	struct idset a;

	if (get_mempolicy(NULL, allowed, IDSET_MAX + 1, NULL, MPOL_F_MEMS_ALLOWED) < 0)
		return negative_errno();
	memcpy(a.bits, allowed, sizeof(a.bits));
	idset_clear(ret);
	IDSET_FOREACH(id, &topo->dram) {
		const struct numa_node *n = topology_node(topo, id);

		if (n && n->has_memory && idset_has(&a, id))
			idset_add(ret, id);
	}
	return 0;
}

struct window {
	char *addr;
	size_t n; /* pages */
};

static void touch(const struct window *w, size_t pagesize)
{
	for (size_t i = 0; i < w->n; i++)
		(void)*(volatile const char *)(w->addr + i * pagesize);
}

/* move_pages() on ourselves; EPERM for MOVE_ALL falls back to MOVE once (*move_all cleared). */
static int move_some(void **pages, const int *nodes, int *status, size_t n, bool *move_all)
{
	long r;

	if (n == 0)
		return 0;
	r = move_pages(0, n, pages, nodes, status, *move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE);
	if (r < 0 && errno == EPERM && *move_all) {
		*move_all = false;
		r = move_pages(0, n, pages, nodes, status, MPOL_MF_MOVE);
	}
	if (r < 0)
		return negative_errno();
	return 0;
}

static int query(void **pages, int *status, size_t n)
{
	if (move_pages(0, n, pages, NULL, status, 0) < 0)
		return negative_errno();
	return 0;
}

int warm_fd(int fd, const struct warm_options *opts, struct warm_result *ret, struct error *err)
{
	const struct topology *topo = opts->topo;
	size_t pagesize = (size_t)sysconf(_SC_PAGESIZE);
	size_t window = opts->window ? opts->window : WARM_WINDOW_DEFAULT;
	size_t wpages, npages;
	_cleanup_free_ unsigned char *resident = NULL; /* one bit a page */
	_cleanup_free_ unsigned char *vec = NULL;
	_cleanup_free_ void **pages = NULL, **mv = NULL;
	_cleanup_free_ int *where = NULL, *target = NULL, *status = NULL, *mstatus = NULL;
	_cleanup_free_ size_t *midx = NULL;
	struct warm_result res = { .move_all = true };
	struct saved_policy saved;
	unsigned long mask[MASK_LONGS];
	struct stat st;
	int r = 0;

	window = (window + pagesize - 1) / pagesize * pagesize;
	wpages = window / pagesize;
	if (fstat(fd, &st) < 0) {
		r = negative_errno();
		return error_set(err, r, "fstat: %s", strerror(-r));
	}
	if (!S_ISREG(st.st_mode))
		return error_set(err, -EINVAL, "not a regular file");
	if ((uint64_t)st.st_size > (opts->max_size ? opts->max_size : WARM_FILE_MAX))
		return error_set(err, -EFBIG, "%jd bytes, over the limit", (intmax_t)st.st_size);
	res.size = (uint64_t)st.st_size;
	res.residency_visible = geteuid() == 0 || st.st_uid == geteuid();
	npages = (size_t)((res.size + pagesize - 1) / pagesize);
	res.pages = npages;
	r = usable_dram(topo, &res.dram);
	if (r < 0)
		return error_set(err, r, "get_mempolicy(MPOL_F_MEMS_ALLOWED): %s", strerror(-r));
	if (npages == 0) {
		*ret = res;
		return 0;
	}
	if (idset_empty(&res.dram))
		return error_set(err, -ENXIO,
				 "no DRAM node with memory is allowed by this process's cpuset");

	resident = calloc((npages + 7) / 8, 1);
	vec = malloc(wpages);
	pages = calloc(wpages, sizeof(*pages));
	mv = calloc(wpages, sizeof(*mv));
	where = calloc(wpages, sizeof(*where));
	target = calloc(wpages, sizeof(*target));
	status = calloc(wpages, sizeof(*status));
	mstatus = calloc(wpages, sizeof(*mstatus));
	midx = calloc(wpages, sizeof(*midx));
	if (!resident || !vec || !pages || !mv || !where || !target || !status || !mstatus || !midx)
		return error_set(err, -ENOMEM, "out of memory");

	/* Pass 1: what is in the page cache before anything of ours touches it. */
	for (size_t first = 0; first < npages; first += wpages) {
		size_t n = MIN(wpages, npages - first);
		void *addr = mmap(NULL, n * pagesize, PROT_READ, MAP_SHARED, fd,
				  (off_t)first * (off_t)pagesize);

		if (addr == MAP_FAILED) {
			r = negative_errno();
			return error_set(err, r, "mmap: %s", strerror(-r));
		}
		if (mincore(addr, n * pagesize, vec) < 0) {
			r = negative_errno();
			munmap(addr, n * pagesize);
			return error_set(err, r, "mincore: %s", strerror(-r));
		}
		munmap(addr, n * pagesize);
		for (size_t i = 0; i < n; i++)
			if (vec[i] & 1)
				resident[(first + i) / 8] |=
					(unsigned char)(1u << ((first + i) % 8));
	}

	/* Pass 2, under MPOL_BIND to DRAM: fault in, move what is on CXL, verify. */
	r = save_policy(&saved);
	if (r < 0)
		return error_set(err, r, "get_mempolicy: %s", strerror(-r));
	memcpy(mask, res.dram.bits, sizeof(mask));
	if (set_mempolicy(MPOL_BIND, mask, IDSET_MAX + 1) < 0) {
		r = negative_errno();
		return error_set(err, r, "set_mempolicy(MPOL_BIND, DRAM nodes): %s", strerror(-r));
	}
	res.bound = true;

	for (size_t first = 0; first < npages && r >= 0; first += wpages) {
		struct window w = { .n = MIN(wpages, npages - first) };
		size_t k = 0;

		w.addr = mmap(NULL, w.n * pagesize, PROT_READ, MAP_SHARED, fd,
			      (off_t)first * (off_t)pagesize);
		if (w.addr == MAP_FAILED) {
			r = negative_errno();
			error_set(err, r, "mmap: %s", strerror(-r));
			break;
		}
		for (size_t i = 0; i < w.n; i++)
			pages[i] = w.addr + i * pagesize;
		touch(&w, pagesize);
		r = query(pages, where, w.n);
		if (r < 0) {
			error_set(err, r, "move_pages (query): %s", strerror(-r));
			munmap(w.addr, w.n * pagesize);
			break;
		}
		for (size_t i = 0; i < w.n; i++) {
			mstatus[i] = 0;
			if (where[i] < 0 || !topology_is_cxl(topo, where[i]))
				continue;
			target[k] = topology_nearest_dram(topo, where[i], &res.dram, -1);
			if (target[k] < 0) {
				mstatus[i] = -ENXIO;
				continue;
			}
			mv[k] = pages[i];
			midx[k++] = i;
		}
		if (k) {
			_cleanup_free_ int *st_moved = calloc(k, sizeof(int));

			if (!st_moved) {
				r = error_set(err, -ENOMEM, "out of memory");
				munmap(w.addr, w.n * pagesize);
				break;
			}
			r = move_some(mv, target, st_moved, k, &res.move_all);
			for (size_t j = 0; j < k; j++)
				mstatus[midx[j]] = r < 0 ? r : st_moved[j];
			r = 0;
		}
		r = query(pages, status, w.n);
		if (r < 0) {
			error_set(err, r, "move_pages (query): %s", strerror(-r));
			munmap(w.addr, w.n * pagesize);
			break;
		}
		for (size_t i = 0; i < w.n; i++) {
			size_t p = first + i;
			bool was_resident = resident[p / 8] & (1u << (p % 8));
			bool was_cxl = where[i] >= 0 && topology_is_cxl(topo, where[i]);

			if (status[i] < 0) {
				res.unknown++;
			} else if (topology_is_cxl(topo, status[i])) {
				res.left_cxl++;
				if (!res.left_errno)
					res.left_errno = mstatus[i] < 0 ? -mstatus[i]
							 : was_cxl	? EAGAIN
									: EINVAL;
			} else if (was_cxl) {
				res.moved++;
			} else if (was_resident) {
				res.already_dram++;
			} else {
				res.faulted++;
			}
		}
		munmap(w.addr, w.n * pagesize);
	}
	restore_policy(&saved);
	if (r < 0)
		return r;
	*ret = res;
	return 0;
}

int warm_elf_interpreter(int fd, char *buf, size_t size)
{
	Elf64_Ehdr eh;
	ssize_t n;

	n = pread(fd, &eh, sizeof(eh), 0);
	if (n < 0)
		return negative_errno();
	if ((size_t)n < sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		n = pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph)));
		if (n < 0)
			return negative_errno();
		if ((size_t)n < sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > size)
			return -ENAMETOOLONG;
		n = pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset);
		if (n < 0)
			return negative_errno();
		if ((size_t)n != ph.p_filesz || buf[ph.p_filesz - 1] != '\0' ||
		    strlen(buf) != ph.p_filesz - 1)
			return -ENOEXEC;
		return 0;
	}
	return -ENOENT;
}
