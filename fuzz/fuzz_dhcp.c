/* fuzz_dhcp.c: dhcp_decode and every getter on its result (proto/dhcp.h). */
#include "fuzz/fuzz_common.h"
#include "proto/dhcp.h"

static struct dhcp_msg msg;

static void check_view(struct view v, const uint8_t *data, size_t size)
{
	/* A view points into the packet or into the message's scratch. */
	FUZZ_ASSERT(fuzz_inside(v.p, v.len, data, size) ||
		    fuzz_inside(v.p, v.len, msg.scratch, sizeof(msg.scratch)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512], small[5];
	uint8_t uuid[16];
	struct view v, sub;
	int rc;

	rc = dhcp_decode(data, size, &msg);
	(void)dhcp_problem_str(msg.problems);
	if (rc != 0)
		return 0;
	FUZZ_ASSERT(msg.scratch_used <= sizeof(msg.scratch));
	check_view(msg.sname, data, size);
	check_view(msg.file, data, size);
	for (unsigned c = 0; c < 256; c++) {
		const struct dhcp_optval *o = dhcp_opt(&msg, (uint8_t)c);

		if (!o)
			continue;
		check_view((struct view){ o->val, o->len }, data, size);
		/* Every sub-option of an encapsulated option. */
		if (c == DHCP_OPT_VENDOR || c == DHCP_OPT_IPXE) {
			for (unsigned s = 0; s < 256; s++)
				if (dhcp_encap_find((struct view){ o->val, o->len }, (uint8_t)s, &sub))
					check_view(sub, data, size);
		}
	}
	for (unsigned i = 0; i < msg.nopts && i < 256; i++)
		FUZZ_ASSERT(dhcp_opt(&msg, msg.order[i]) != NULL);
	(void)dhcp_msgtype_name(msg.msgtype);
	(void)dhcp_user_class_has(&msg, "iPXE");
	(void)dhcp_user_class_has(&msg, "");
	dhcp_user_class_str(&msg, buf, sizeof(buf));
	FUZZ_ASSERT(fuzz_terminated(buf, sizeof(buf)));
	dhcp_user_class_str(&msg, small, sizeof(small));
	FUZZ_ASSERT(fuzz_terminated(small, sizeof(small)));
	dhcp_user_class_str(&msg, small, 1);
	FUZZ_ASSERT(small[0] == '\0');
	(void)dhcp_client_arch(&msg);
	(void)dhcp_vendor_class_arch(&msg);
	if (dhcp_client_uuid(&msg, uuid)) {
		dhcp_uuid_str(uuid, buf, sizeof(buf));
		FUZZ_ASSERT(fuzz_terminated(buf, sizeof(buf)));
		dhcp_uuid_str(uuid, small, sizeof(small));
		FUZZ_ASSERT(fuzz_terminated(small, sizeof(small)));
	}
	v = dhcp_bootfile(&msg);
	check_view(v, data, size);
	(void)dhcp_next_server(&msg);
	(void)dhcp_server_id(&msg);
	(void)dhcp_prl_has(&msg, DHCP_OPT_PXELINUX_CONFIGFILE);
	(void)dhcp_vendor_class_is(&msg, "PXEClient");
	(void)dhcp_vendor_class_is(&msg, "");
	return 0;
}
