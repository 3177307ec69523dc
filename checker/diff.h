/* diff.h: `netboot-check diff`: the first divergence between a boot that worked and one that did not. */
#ifndef NBC_CHECKER_DIFF_H
#define NBC_CHECKER_DIFF_H

/* Runs `netboot-check diff` (argv[0] is "diff"); returns the exit status. */
int diff_main(int argc, char **argv);

#endif
