/* test/e2e/benign_prog.c - the C program the benign workload compiles with
 * tcc in the VM and runs: counts the lines, words and bytes of a file and
 * prints them with the longest line's length (a log summary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
	char line[4096];
	unsigned long lines = 0, words = 0, bytes = 0, longest = 0;

	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *save = NULL;

		lines++;
		bytes += n;
		if (n > longest)
			longest = n;
		for (char *w = strtok_r(line, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
			words++;
	}
	printf("%lu %lu %lu %lu\n", lines, words, bytes, longest);
	return f == stdin ? 0 : (fclose(f) != 0);
}
