/* decode.h: `netboot-check decode`: per-packet DHCP and TFTP fields, in tshark's column names. */
#ifndef NBC_CHECKER_DECODE_H
#define NBC_CHECKER_DECODE_H

int cmd_decode(int argc, char **argv);

#endif
