/* capture.h: reads a pcap or pcapng file (or standard input) through libpcap into the engine. */
#ifndef NBC_CHECKER_CAPTURE_H
#define NBC_CHECKER_CAPTURE_H

#include <stddef.h>

#include "checker/engine.h"

/*
 * Feeds every record of path ("-" for standard input) to the engine.
 * Returns 0, or -1 with a one-line reason in err when the file cannot be
 * read as a capture. A file cut inside a record is read up to the cut and
 * reported through *truncated.
 */
/* The link layer we decode for a libpcap DLT; false if we do not know it. */
bool capture_map_link(int dlt, enum net_link *out);

int capture_read_file(const char *path, struct nbc_engine *e, bool *truncated, char *err,
		      size_t errcap);

#endif
