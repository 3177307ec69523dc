/* dhcp.h: DHCP/BOOTP decoding and encoding (RFC 2131, 2132, 3396, 3004, 4578, 5071, iPXE 175). */
#ifndef NBC_PROTO_DHCP_H
#define NBC_PROTO_DHCP_H

#include "cursor.h"

#define DHCP_FIXED_LEN 236
#define DHCP_MAGIC 0x63825363u
#define DHCP_SCRATCH 2048	/* room for options split into several instances (RFC 3396) */

enum dhcp_msgtype {
	DHCP_NONE = 0,		/* plain BOOTP: no option 53 */
	DHCPDISCOVER = 1,
	DHCPOFFER = 2,
	DHCPREQUEST = 3,
	DHCPDECLINE = 4,
	DHCPACK = 5,
	DHCPNAK = 6,
	DHCPRELEASE = 7,
	DHCPINFORM = 8,
};

enum dhcp_opt_code {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_HOSTNAME = 12,
	DHCP_OPT_ROOT_PATH = 17,
	DHCP_OPT_VENDOR = 43,
	DHCP_OPT_REQ_IP = 50,
	DHCP_OPT_LEASE = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSGTYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PRL = 55,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_VENDOR_CLASS = 60,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_TFTP_SERVER = 66,
	DHCP_OPT_BOOTFILE = 67,
	DHCP_OPT_USER_CLASS = 77,
	DHCP_OPT_CLIENT_ARCH = 93,
	DHCP_OPT_CLIENT_NDI = 94,
	DHCP_OPT_CLIENT_UUID = 97,
	DHCP_OPT_IPXE = 175,
	DHCP_OPT_IPXE_IQN = 203,
	DHCP_OPT_PXELINUX_MAGIC = 208,
	DHCP_OPT_PXELINUX_CONFIGFILE = 209,
	DHCP_OPT_PXELINUX_PATHPREFIX = 210,
	DHCP_OPT_PXELINUX_REBOOTTIME = 211,
	DHCP_OPT_END = 255,
};

/* iPXE encapsulated option 175 sub-options (ipxe src/include/ipxe/dhcp.h). */
enum dhcp_ipxe_sub {
	DHCP_IPXE_KEEP_SAN = 8,
	DHCP_IPXE_SKIP_SAN_BOOT = 9,
	DHCP_IPXE_USERNAME = 190,
	DHCP_IPXE_PASSWORD = 191,
	DHCP_IPXE_VERSION = 235,
};

/* Client system architecture (option 93, RFC 4578 and the IANA registry). */
enum dhcp_arch {
	DHCP_ARCH_BIOS = 0,
	DHCP_ARCH_EFI_IA32 = 6,
	DHCP_ARCH_EFI_X64 = 7,	/* IANA "x64 UEFI" */
	DHCP_ARCH_EFI_BC = 9,	/* RFC 4578 "EFI x86-64": real x64 firmware sends it too */
	DHCP_ARCH_EFI_ARM32 = 10,
	DHCP_ARCH_EFI_ARM64 = 11,
	DHCP_ARCH_HTTP_IA32 = 15,
	DHCP_ARCH_HTTP_X64 = 16,
	DHCP_ARCH_HTTP_ARM64 = 19,
};

/* Where an option was found (for reports). */
enum dhcp_opt_where {
	DHCP_IN_OPTIONS = 1,
	DHCP_IN_FILE = 2,
	DHCP_IN_SNAME = 4,
};

struct dhcp_optval {
	const uint8_t *val;	/* into the packet, or into the message's scratch */
	uint16_t len;
	uint8_t count;		/* how many instances were concatenated */
	uint8_t where;		/* enum dhcp_opt_where bits */
};

/* Decoding problems: bits, so that one message can carry several. */
enum dhcp_problem {
	DHCP_PROB_SHORT = 1 << 0,		/* shorter than the fixed header */
	DHCP_PROB_NO_COOKIE = 1 << 1,		/* BOOTP: no magic cookie, no options */
	DHCP_PROB_OPT_OVERRUN = 1 << 2,		/* an option's length runs past its field */
	DHCP_PROB_NO_END = 1 << 3,		/* options not terminated by 255 */
	DHCP_PROB_OVERLOAD_BAD = 1 << 4,	/* option 52 with a bad value or length */
	DHCP_PROB_OVERLOAD_LOOP = 1 << 5,	/* option 52 inside an overloaded field */
	DHCP_PROB_SCRATCH_FULL = 1 << 6,	/* concatenated options too long to keep */
	DHCP_PROB_BAD_HLEN = 1 << 7,		/* hlen > 16 */
	DHCP_PROB_BAD_MSGTYPE = 1 << 8,		/* option 53 missing length 1, or out of range */
};

struct dhcp_msg {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	uint32_t ciaddr;	/* host order */
	uint32_t yiaddr;
	uint32_t siaddr;
	uint32_t giaddr;
	uint8_t chaddr[16];
	struct view sname;	/* up to the first NUL; empty when overloaded */
	struct view file;
	bool has_cookie;
	uint8_t msgtype;	/* enum dhcp_msgtype */
	uint8_t overload;	/* option 52 value, 0 if absent */
	unsigned problems;	/* enum dhcp_problem bits */
	uint16_t nopts;		/* distinct option codes present */
	uint8_t order[256];	/* codes in the order first seen */
	struct dhcp_optval opt[256];
	uint8_t scratch[DHCP_SCRATCH];
	size_t scratch_used;
};

/*
 * Decodes a DHCP/BOOTP message from a UDP payload. Returns 0 when the fixed
 * header was read (problems may still be set: check m->problems), or -1 when
 * the packet is too short to be BOOTP at all.
 */
int dhcp_decode(const uint8_t *p, size_t len, struct dhcp_msg *m);

/* Returns the option, or NULL if absent. */
const struct dhcp_optval *dhcp_opt(const struct dhcp_msg *m, uint8_t code);
const char *dhcp_msgtype_name(unsigned type);
/* One-line description of the first problem bit set. */
const char *dhcp_problem_str(unsigned problems);

/*
 * Option 77 holds "iPXE" either as RFC 3004 length-prefixed items or as the
 * bare bytes iPXE sends. True if any item equals s.
 */
bool dhcp_user_class_has(const struct dhcp_msg *m, const char *s);
/* Writes the user class as text: items joined with ",", bare form as is. */
void dhcp_user_class_str(const struct dhcp_msg *m, char *dst, size_t cap);
/* First arch in option 93, or -1. */
int dhcp_client_arch(const struct dhcp_msg *m);
/* Arch from option 60 "PXEClient:Arch:NNNNN:...", or -1. */
int dhcp_vendor_class_arch(const struct dhcp_msg *m);
/* Option 97 with type 0 and 16 bytes: copies the raw (wire order) UUID. */
bool dhcp_client_uuid(const struct dhcp_msg *m, uint8_t uuid[16]);
/* Boot file: option 67 when present (iPXE's and the RFC's reading), else the file field. */
struct view dhcp_bootfile(const struct dhcp_msg *m);
/* Next server: siaddr. */
static inline uint32_t dhcp_next_server(const struct dhcp_msg *m)
{
	return m->siaddr;
}
/* Server identifier (54) in host order, or 0. */
uint32_t dhcp_server_id(const struct dhcp_msg *m);
/* True if code is in the parameter request list (55). */
bool dhcp_prl_has(const struct dhcp_msg *m, uint8_t code);
/* Option 60 starts with prefix. */
bool dhcp_vendor_class_is(const struct dhcp_msg *m, const char *prefix);

/* Finds a sub-option in an encapsulated option value (43, 175). */
bool dhcp_encap_find(struct view enc, uint8_t sub, struct view *out);

/* Formats a UUID's raw 16 bytes as lowercase 8-4-4-4-12 hex in wire order. */
void dhcp_uuid_str(const uint8_t uuid[16], char *dst, size_t cap);

/* Encoder. */
struct dhcp_builder {
	struct wbuf w;
};

/* Starts a message: fixed header, magic cookie, option 53 (unless type is DHCP_NONE). */
void dhcp_build_begin(struct dhcp_builder *b, uint8_t *buf, size_t cap, uint8_t op, uint32_t xid,
		      const uint8_t mac[6], uint8_t msgtype);
/* Field setters operate on the fixed header written by dhcp_build_begin. */
void dhcp_build_set_addrs(struct dhcp_builder *b, uint32_t ciaddr, uint32_t yiaddr,
			  uint32_t siaddr, uint32_t giaddr);
void dhcp_build_set_secs_flags(struct dhcp_builder *b, uint16_t secs, uint16_t flags);
void dhcp_build_set_file(struct dhcp_builder *b, const char *file);
void dhcp_build_set_sname(struct dhcp_builder *b, const char *sname);
/* Appends an option; values over 255 bytes are split into instances (RFC 3396). */
void dhcp_build_opt(struct dhcp_builder *b, uint8_t code, const void *val, size_t len);
void dhcp_build_opt_str(struct dhcp_builder *b, uint8_t code, const char *s);
void dhcp_build_opt_u8(struct dhcp_builder *b, uint8_t code, uint8_t v);
void dhcp_build_opt_be16(struct dhcp_builder *b, uint8_t code, uint16_t v);
void dhcp_build_opt_be32(struct dhcp_builder *b, uint8_t code, uint32_t v);
/* Writes option 255 and pads to the BOOTP minimum of 300 bytes. Returns the length, 0 on overflow. */
size_t dhcp_build_end(struct dhcp_builder *b);

#endif
