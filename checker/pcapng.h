/* pcapng.h: a small pcapng writer and the annotate pass (findings as packet comments). */
#ifndef NBC_CHECKER_PCAPNG_H
#define NBC_CHECKER_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checker/model.h"

/* Longest comment we write, in bytes (cut on a UTF-8 character boundary). */
#define PCAPNG_COMMENT_MAX 4000

/*
 * Block writers. Every block is written little-endian (the Byte-Order Magic
 * tells readers so), which keeps the output the same bytes on every host.
 * Each returns 0, or -1 when a write failed or a length does not fit.
 */

/* Section Header Block: version 1.0, section length -1, shb_userappl. */
int pcapng_write_shb(FILE *f, const char *userappl);

/* Interface Description Block; tsresol_nano adds if_tsresol 9 (else 10^-6 is implied). */
int pcapng_write_idb(FILE *f, uint16_t linktype, uint32_t snaplen, bool tsresol_nano);

/*
 * Enhanced Packet Block. ts is in units of its interface's resolution.
 * comments[i] (ncomments of them) become opt_comment options, in order; they
 * must already be valid UTF-8 of at most PCAPNG_COMMENT_MAX bytes
 * (pcapng_comment_clean makes them so).
 */
int pcapng_write_epb(FILE *f, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t caplen,
		     uint32_t origlen, const char *const *comments, size_t ncomments);

/*
 * Copies src into dst (cap bytes, cap > 0) as a comment: valid UTF-8 (each
 * byte of an invalid sequence becomes '?'), bytes below 0x20 become spaces,
 * cut to PCAPNG_COMMENT_MAX bytes (and to cap - 1) without splitting a
 * character. Returns the length written.
 */
size_t pcapng_comment_clean(char *dst, size_t cap, const char *src);

/* True when a and b name the same file: the same path, or the same device and inode. */
bool pcapng_same_file(const char *a, const char *b);

/*
 * Reads the capture at in_path again (pcap or pcapng, through libpcap) and
 * writes it to out_path as pcapng: every frame as it was (bytes, lengths,
 * timestamps in the input's resolution), with each stage's first frame and
 * each finding's frame carrying a comment. client: -1 for every client,
 * else only that client's stages and findings (an index past the last
 * client: none). The file is written under a temporary name in out_path's
 * directory and renamed at the end. Returns 0, or -1 with a one-line reason
 * in err.
 */
int pcapng_annotate(const char *in_path, const char *out_path, const struct nbc_report *r,
		    int client, char *err, size_t errcap);

#endif
