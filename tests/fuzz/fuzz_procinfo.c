/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/stat, status and cgroup texts: procinfo_parse_stat_cpu(),
 * procinfo_parse_status_field() (with the keys the tool asks for and with the
 * input's first line as the key) and procinfo_parse_cgroup().  Invariant: a
 * successful field copy is NUL-terminated inside its buffer.
 */
#include "fuzzlib.h"
#include "procinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void status_field(const char *text, const char *key)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	if (procinfo_parse_status_field(text, key, buf, sizeof(buf)) >= 0)
		FUZZ_ASSERT(memchr(buf, '\0', sizeof(buf)), "key '%s': value not terminated", key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char *key = strndup(text, strcspn(text, "\n"));
	const char *rest = text + strlen(key) + (text[strlen(key)] == '\n');
	char cg[128];
	int cpu;

	if (!key)
		abort();
	(void)procinfo_parse_stat_cpu(text, &cpu);
	status_field(text, "Mems_allowed_list");
	status_field(text, "Name");
	status_field(rest, key);
	memset(cg, 'x', sizeof(cg));
	if (procinfo_parse_cgroup(text, cg, sizeof(cg)) >= 0)
		FUZZ_ASSERT(memchr(cg, '\0', sizeof(cg)), "cgroup path not terminated");
	free(key);
	free(text);
	return 0;
}
