/* ipxe.h: the reference firmware's iPXE script interpreter; the host supplies actions through callbacks. */
#ifndef NBC_FIRMWARE_IPXE_H
#define NBC_FIRMWARE_IPXE_H

#include <stdbool.h>
#include <stddef.h>

#define IPXE_RUN_MAX_STEPS 10000	/* commands executed per ipxe_run_script call, at most */
#define IPXE_RUN_LINE_MAX 4096		/* a logical line (continuations joined) is cut here */
#define IPXE_ENV_VALUE_MAX 1024		/* a setting's value is cut here */

/*
 * Settings: name -> value. Scope prefixes ("net0/", "netX/") are stripped.
 * Numbered DHCP options are kept by number ("209:string" and "209" are the
 * same setting), except the numbers iPXE knows by name, which are stored
 * under that name: 12 hostname, 17 root-path, 67 filename, 203
 * initiator-iqn, 175.8 keep-san, 175.9 skip-san-boot, 175.190 username,
 * 175.191 password, 175.192 reverse-username, 175.193 reverse-password.
 * ipxe_env_new presets platform=pcbios and buildarch=i386.
 */
struct ipxe_env;
struct ipxe_env *ipxe_env_new(void);
void ipxe_env_free(struct ipxe_env *e);
/*
 * Sets (or with value NULL or "" deletes, as iPXE does) a setting. Returns 0,
 * or -EINVAL for an empty/bad name or a non-numeric keep-san / skip-san-boot
 * (uint8 settings in iPXE), -ENOMEM.
 */
int ipxe_env_set(struct ipxe_env *e, const char *name, const char *value);
const char *ipxe_env_get(const struct ipxe_env *e, const char *name);	/* NULL if unset */
/*
 * Expands ${name} and ${name:type} into out (always NUL-terminated, cut to
 * cap). Unset -> empty, as iPXE does. Types: string (and any other: raw
 * value), hex ("61:62"), hexhyp ("61-62"), hexraw ("6162"), uristring
 * (percent-encoded). Like iPXE the innermost ${...} is expanded first and the
 * result is scanned again (bounded here: 64 expansions).
 */
void ipxe_env_expand(const struct ipxe_env *e, const char *in, char *out, size_t cap);

struct ipxe_host {
	void *ctx;
	/* Fetch and run an image (chain/boot/imgexec with a URI); returns 0 if the
	 * image ran and "returned" (host decides what that means), or a negative
	 * error; the host calls ipxe_run_script recursively for scripts and may
	 * return its positive `exit N` status, which fails the command as in iPXE.
	 * args: the arguments after the URI joined by spaces ("" if none).
	 * Every callback: 0 is success, anything else fails the command. */
	int (*chain)(void *ctx, const char *uri, const char *args, bool autofree);
	/* imgfetch/module/initrd/kernel/imgload/imgselect URI: fetch without booting;
	 * name is the --name value or NULL. */
	int (*fetch)(void *ctx, const char *uri, const char *name);
	int (*boot)(void *ctx);	/* boot/imgexec without a URI: boot the selected image */
	/* sanboot/sanhook; uri NULL: sanboot without URI (the root-path); keep from
	 * --keep or a non-zero keep-san; hook_only for sanhook and when skip-san-boot
	 * is non-zero. Returns 0 (booted, or hooked) or a negative error. */
	int (*sanboot)(void *ctx, const char *uri, bool keep, bool hook_only);
	void (*echo)(void *ctx, const char *text);
	void (*log)(void *ctx, const char *line);	/* one line per command executed (secrets redacted) */
};

/*
 * Runs a script (text starting with "#!ipxe" or "#!gpxe" and a whitespace
 * byte; else -ENOEXEC) in env. Returns 0 when the script ended (exit 0, end
 * of text, reboot, poweroff), a positive exit status from `exit N` (or from a
 * host callback, e.g. a chained script's exit status, outside ||), or a
 * negative error when a line failed (iPXE aborts the script then; a command
 * failing before `||` does not fail its line). err (may be NULL) gets a one-
 * line reason on error ("line 3: foo: command not found"), "reboot" /
 * "poweroff" when those ended the script, else "". At most
 * IPXE_RUN_MAX_STEPS commands run (-ELOOP beyond). Any callback may be NULL:
 * then its commands fail with -ENOTSUP (echo/log: silently skipped).
 */
int ipxe_run_script(struct ipxe_env *env, const char *text, size_t len, const struct ipxe_host *host,
		    char *err, size_t errcap);

#endif
