/* SPDX-License-Identifier: MIT */
/*
 * Policy files: policy_set_parse() on any bytes, against the dax-region
 * fixture topology (node 0 dram, nodes 1-2 cxl; read once from
 * $CXLPOLICY_FIXTURES or tests/fixtures, run from the repository top).
 * Invariants: a valid set has valid, unique names and non-empty mems of
 * online nodes, with a DRAM node whenever exec.migrate is on; a failure
 * carries a message whose code is the return value and that holds no control
 * byte (untrusted text is escaped).
 */
#include <errno.h>

#include "fuzzlib.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct topology *fixture_topology(void)
{
	static struct topology *topo;
	struct sysroot *root = NULL;
	struct error err = { 0 };
	const char *dir = getenv("CXLPOLICY_FIXTURES");
	char path[4096];

	if (topo)
		return topo;
	snprintf(path, sizeof(path), "%s/dax-region", dir && *dir ? dir : "tests/fixtures");
	if (sysroot_open(path, &root) < 0 || topology_read(root, NULL, &topo, &err) < 0) {
		fprintf(stderr,
			"fuzz_policy: cannot read the topology of %s (run from the "
			"repository top): %s\n",
			path, err.message);
		abort();
	}
	sysroot_free(root);
	return topo;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct topology *topo = fixture_topology();
	struct policy_set *set = NULL;
	struct error err = { 0 };
	int r = policy_set_parse((const char *)data, size, "f.json", topo, &set, &err);

	if (r < 0) {
		FUZZ_ASSERT(set == NULL, "set written on failure");
		FUZZ_ASSERT(err.code == r && err.message[0], "error %d without its message", r);
		for (const char *p = err.message; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f,
				    "control byte 0x%02x in message '%s'", (unsigned char)*p,
				    err.message);
		return 0;
	}
	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = &set->policies[i];

		FUZZ_ASSERT(policy_check_name(p->name) == 0, "invalid name '%s' accepted", p->name);
		for (size_t j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(set->policies[j].name, p->name) != 0, "duplicate '%s'",
				    p->name);
		FUZZ_ASSERT(!idset_empty(&p->mems), "empty mems in '%s'", p->name);
		IDSET_FOREACH(id, &p->mems)
			FUZZ_ASSERT(idset_has(&topo->online, id), "offline node %d in mems", id);
		if (p->exec.migrate) {
			bool dram = false;

			IDSET_FOREACH(id, &p->mems)
				dram |= idset_has(&topo->dram, id);
			FUZZ_ASSERT(dram, "migrating policy '%s' without a DRAM node", p->name);
		}
		FUZZ_ASSERT(p->exec.interval_ns >= POLICY_INTERVAL_MIN_NS, "interval too short");
		for (size_t j = 0; j < p->match.n_cgroups; j++)
			FUZZ_ASSERT(policy_check_cgroup_glob(p->match.cgroups[j]) == 0, "bad glob");
	}
	policy_set_free(set);
	return 0;
}
