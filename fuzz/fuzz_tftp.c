/* fuzz_tftp.c: tftp_decode (proto/tftp.h) and the names of what it found. */
#include "fuzz/fuzz_common.h"
#include "proto/tftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_pkt t;

	memset(&t, 0xa5, sizeof(t));	/* fields the decoder forgets show up as garbage */
	if (tftp_decode(data, size, &t) != 0)
		return 0;
	FUZZ_ASSERT(t.nopts <= TFTP_MAX_OPTS);
	(void)tftp_op_name(t.op);
	(void)tftp_problem_str(t.problems);
	switch (t.op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		FUZZ_ASSERT(fuzz_inside(t.filename.p, t.filename.len, data, size));
		FUZZ_ASSERT(fuzz_inside(t.mode.p, t.mode.len, data, size));
		/* fall through */
	case TFTP_OACK:
		for (unsigned i = 0; i < t.nopts; i++) {
			FUZZ_ASSERT(fuzz_inside(t.opts[i].name.p, t.opts[i].name.len, data, size));
			FUZZ_ASSERT(fuzz_inside(t.opts[i].value.p, t.opts[i].value.len, data, size));
		}
		break;
	case TFTP_DATA:
		FUZZ_ASSERT(fuzz_inside(t.data.p, t.data.len, data, size));
		break;
	case TFTP_ERROR:
		(void)tftp_errcode_name(t.errcode);
		FUZZ_ASSERT(fuzz_inside(t.errmsg.p, t.errmsg.len, data, size));
		break;
	default:
		break;
	}
	return 0;
}
