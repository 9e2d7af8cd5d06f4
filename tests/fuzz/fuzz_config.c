/*
 * libFuzzer target for the config parser: any bytes must give either a
 * config or one error line, never a crash, a leak or undefined behaviour.
 * Build and run: see tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[256];
	uint64_t hard;

	if (config_load_buffer(&c, "fuzz.yaml", (const char *)data, size, err,
			       sizeof(err)) == 0) {
		/* Exercise the lookups the daemon makes on a loaded config. */
		if (c.nexclude)
			config_is_excluded(&c, c.exclude[0]);
		if (c.noverrides &&
		    config_home_limits(&c, c.overrides[0].name, &hard))
			config_soft_bytes(&c, hard);
		config_home_limits(&c, "someone", &hard);
	} else if (memchr(err, '\n', strlen(err))) {
		__builtin_trap();
	}
	config_free(&c);
	return 0;
}
