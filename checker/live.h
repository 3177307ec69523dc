/* live.h: `netboot-check live IFACE`: boots watched as they happen. */
#ifndef NBC_CHECKER_LIVE_H
#define NBC_CHECKER_LIVE_H

int cmd_live(int argc, char **argv);

#endif
