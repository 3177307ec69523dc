/* replay_main.c: runs a harness's LLVMFuzzerTestOneInput on each file argument, without
 * libFuzzer (tests/regress/run.sh links it with -fsanitize=address,undefined). A sanitizer
 * report aborts the process; a clean run prints one line per file and exits 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *buf = slurp(argv[i], &len);

		if (!buf) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			bad = 1;
			continue;
		}
		/* An exact-size heap copy: ASan catches a read one byte past the input. */
		{
			uint8_t *exact = malloc(len ? len : 1);

			if (!exact)
				abort();
			for (size_t k = 0; k < len; k++)
				exact[k] = buf[k];
			free(buf);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
		printf("replay: ok %s (%zu bytes)\n", argv[i], len);
	}
	return bad;
}
