/* SPDX-License-Identifier: MIT */
/*
 * cgmems: drives the project's cgroup layer (pkg/cgroupmode, cgrouptree,
 * cpusetmems, numastat) from guest test cases, on the real root "/".
 *
 *   cgmems mode                   MODE layout=.. cpuset_dir=.. cpuset_v2=0|1 members_dir=..
 *                                      memory_dir=.. memory_v2=0|1 (or cpuset_missing=...)
 *   cgmems list [CGROUP]          one cgroup path a line (members hierarchy), "/" for the root
 *   cgmems read CGROUP            READ enabled=0|1 inherit=0|1 mems=L effective=L
 *   cgmems write CGROUP LIST|inherit   WRITE changed=0|1 modify_events=N
 *                                 (N: inotify IN_MODIFY events seen on the cgroup's mems
 *                                 file and its ancestors' cgroup.subtree_control, or v1's
 *                                 memory_migrate, during the call: proof of what was written;
 *                                 a file that appears during the call is not watched)
 *   cgmems numastat CGROUP        NUMASTAT anon_nodeN=B file_mapped_nodeN=B ... (bytes)
 *   cgmems predict CGROUP LIST    PREDICT total=B move_nodeN=B ...: what writing LIST moves
 *
 * Failures print "ERROR <errno name> <message>" on stdout and exit 1 (usage: exit 2).
 * Built like every guest program (one .c file, -lnuma): the library's sources are
 * compiled in here rather than linked, so the guest tests the same code.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sys/inotify.h>
#include "../../../pkg/cgroupmode.c"
#include "../../../pkg/cgrouptree.c"
#include "../../../pkg/cpusetmems.c"
#include "../../../pkg/error.c"
#include "../../../pkg/escape.c"
#include "../../../pkg/idset.c"
#include "../../../pkg/numastat.c"
#include "../../../pkg/sysroot.c"

static int fail(int r, const struct error *err)
{
	printf("ERROR %s %s\n", strerrorname_np(-r) ? strerrorname_np(-r) : "?",
	       err->message[0] ? err->message : strerror(-r));
	return 1;
}

/* Watch the files cpusetmems_write() may write for @cgroup; the inotify fd. */
static int watch_files(const struct cgroup_mode *m, const char *cgroup)
{
	char prefix[PATH_MAX] = "", path[2 * PATH_MAX];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	const char *p = cgroup;

	if (fd < 0)
		return -1;
	for (;;) {
		size_t len = strcspn(p, "/");

		snprintf(path, sizeof(path), "/%s%s%s/%s", m->cpuset_dir, *prefix ? "/" : "",
			 prefix, m->cpuset_v2 ? "cgroup.subtree_control" : "cpuset.memory_migrate");
		inotify_add_watch(fd, path, IN_MODIFY);
		if (!*p)
			break;
		snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix), "%s%.*s",
			 *prefix ? "/" : "", (int)len, p);
		p += len;
		if (*p == '/')
			p++;
	}
	snprintf(path, sizeof(path), "/%s/%s/%s", m->cpuset_dir, cgroup, "cpuset.mems");
	inotify_add_watch(fd, path, IN_MODIFY);
	return fd;
}

static int count_events(int fd)
{
	char buf[4096] __attribute__((aligned(8)));
	int n = 0;
	ssize_t len;

	while ((len = read(fd, buf, sizeof(buf))) > 0)
		for (char *e = buf; e < buf + len;
		     e += sizeof(struct inotify_event) + ((struct inotify_event *)e)->len)
			n += (((struct inotify_event *)e)->mask & IN_MODIFY) != 0;
	return n;
}

static int usage(void)
{
	fprintf(stderr, "usage: cgmems mode | list [CG] | read CG | write CG LIST|inherit | "
			"numastat CG | predict CG LIST\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sysroot *root = NULL;
	struct cgroup_mode m;
	struct error err = { 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char a[256], b[256];
	int r;

	if (argc < 2)
		return usage();
	r = sysroot_open("/", &root);
	if (r < 0)
		return fail(r, &err);
	r = cgroup_mode_detect(root, &m, &err);
	if (r < 0)
		return fail(r, &err);

	if (strcmp(argv[1], "mode") == 0) {
		printf("MODE layout=%s cpuset_dir=%s cpuset_v2=%d members_dir=%s memory_dir=%s "
		       "memory_v2=%d\n",
		       cgroup_layout_name(m.layout), m.cpuset_dir, m.cpuset_v2, m.members_dir,
		       m.memory_dir, m.memory_v2);
		if (m.cpuset_missing[0])
			printf("cpuset_missing=%s\n", m.cpuset_missing);
	} else if (strcmp(argv[1], "list") == 0 && argc <= 3) {
		char **paths = NULL;
		size_t n = 0;

		r = cgrouptree_list(root, m.members_dir, argc == 3 ? argv[2] : "", &paths, &n,
				    &err);
		if (r < 0)
			return fail(r, &err);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", *paths[i] ? paths[i] : "/");
		cgrouptree_free(paths);
	} else if (strcmp(argv[1], "read") == 0 && argc == 3) {
		struct cpuset_mems c;

		r = cpusetmems_read(root, &m, argv[2], &c, &err);
		if (r < 0)
			return fail(r, &err);
		printf("READ enabled=%d inherit=%d mems=%s effective=%s\n", c.enabled, c.inherit,
		       idset_format(&c.mems, a, sizeof(a)),
		       idset_format(&c.effective, b, sizeof(b)));
	} else if (strcmp(argv[1], "write") == 0 && argc == 4) {
		struct idset set;
		bool inherit = strcmp(argv[3], "inherit") == 0, changed = false;

		if (!inherit && idset_parse(argv[3], &set) < 0)
			return usage();
		int ino = watch_files(&m, argv[2]);

		r = cpusetmems_write(root, &m, argv[2], inherit ? NULL : &set, &changed, &err);
		if (r < 0)
			return fail(r, &err);
		printf("WRITE changed=%d modify_events=%d\n", changed,
		       ino >= 0 ? count_events(ino) : -1);
	} else if (strcmp(argv[1], "numastat") == 0 && argc == 3) {
		struct numa_stat st;
		static const enum numastat_item items[] = { NUMASTAT_ANON, NUMASTAT_FILE,
							    NUMASTAT_FILE_MAPPED, NUMASTAT_SHMEM,
							    NUMASTAT_KERNEL_STACK };

		r = numastat_read(root, &m, argv[2], page, &st, &err);
		if (r < 0)
			return fail(r, &err);
		printf("NUMASTAT");
		for (size_t i = 0; i < st.n_nodes; i++)
			for (size_t k = 0; k < ARRAY_SIZE(items); k++)
				printf(" %s_node%d=%" PRIu64, numastat_item_name(items[k]),
				       st.nodes[i].node, st.nodes[i].bytes[items[k]]);
		printf("\n");
		numastat_done(&st);
	} else if (strcmp(argv[1], "predict") == 0 && argc == 4) {
		struct cpuset_mems c;
		struct numa_stat st;
		struct idset after;
		struct numastat_move *moves = NULL;
		size_t n = 0;
		uint64_t total = 0;

		if (idset_parse(argv[3], &after) < 0)
			return usage();
		r = cpusetmems_read(root, &m, argv[2], &c, &err);
		if (r >= 0)
			r = numastat_read(root, &m, argv[2], page, &st, &err);
		if (r < 0)
			return fail(r, &err);
		r = numastat_narrowing(&st, &c.effective, &after, &moves, &n, &total);
		if (r < 0)
			return fail(r, &err);
		printf("PREDICT total=%" PRIu64, total);
		for (size_t i = 0; i < n; i++)
			printf(" move_node%d=%" PRIu64, moves[i].node, moves[i].bytes);
		printf("\n");
		free(moves);
		numastat_done(&st);
	} else {
		return usage();
	}
	sysroot_free(root);
	return 0;
}
