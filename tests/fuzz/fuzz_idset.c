/* SPDX-License-Identifier: MIT */
/*
 * Kernel list syntax ("0-3,8"): idset_parse(), and idset_format() round trip:
 * whatever parses formats to a text that parses to the same set and formats
 * the same again.
 */
#include "fuzzlib.h"
#include "idset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Worst case "0,2,4,...,8190": 4096 ids of up to 5 characters each. */
#define FORMAT_SIZE (IDSET_MAX * 6)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf1[FORMAT_SIZE], buf2[FORMAT_SIZE];
	char *text = fuzz_cstr(data, size);
	struct idset a, b;
	int r;

	if (idset_parse(text, &a) >= 0) {
		idset_format(&a, buf1, sizeof(buf1));
		r = idset_parse(buf1, &b);
		FUZZ_ASSERT(r >= 0, "format gave '%s', which does not parse (%d)", buf1, r);
		FUZZ_ASSERT(memcmp(&a, &b, sizeof(a)) == 0, "'%s' -> '%s' changed the set", text,
			    buf1);
		idset_format(&b, buf2, sizeof(buf2));
		FUZZ_ASSERT(strcmp(buf1, buf2) == 0, "format not stable: '%s' vs '%s'", buf1, buf2);
	}
	free(text);
	return 0;
}
