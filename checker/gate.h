/* gate.h: `netboot-check gate`: a candidate server setup run in network namespaces, booted per client profile. */
#ifndef NBC_CHECKER_GATE_H
#define NBC_CHECKER_GATE_H

/*
 * Builds two network namespaces joined by a veth pair, starts the candidate's
 * server commands in one, boots netboot-firmware once per client profile in the
 * other while capturing there, and analyzes each capture with the engine.
 * Returns the exit status: 0 every profile booted, 1 one failed, 2 could not run,
 * 3 usage. Everything it made is removed before it returns, also on SIGINT/SIGTERM.
 */
int gate_main(int argc, char **argv);

#endif
