/* capture.c: libpcap offline reading, link type mapping and clear errors for bad files. */
#include "checker/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif

bool capture_map_link(int dlt, enum net_link *out)
{
	switch (dlt) {
	case DLT_EN10MB:
		*out = NET_LINK_ETHERNET;
		return true;
	case DLT_NULL:
		*out = NET_LINK_NULL;
		return true;
	case DLT_LINUX_SLL:
		*out = NET_LINK_SLL;
		return true;
	case DLT_LINUX_SLL2:
		*out = NET_LINK_SLL2;
		return true;
	case DLT_RAW:
	case DLT_IPV4:
#if defined(DLT_LINKTYPE_RAW)
	case 101:
#endif
		*out = NET_LINK_RAW;
		return true;
	default:
		return false;
	}
}

int capture_read_file(const char *path, struct nbc_engine *e, bool *truncated, char *err,
		      size_t errcap)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	pcap_t *p;
	enum net_link link;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	*truncated = false;
	if (strcmp(path, "-") != 0) {
		if (stat(path, &st) != 0) {
			snprintf(err, errcap, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errcap, "%s: is a directory, not a capture file", path);
			return -1;
		}
		if (st.st_size == 0) {
			snprintf(err, errcap, "%s: empty file, not a capture", path);
			return -1;
		}
	}
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		if (strstr(ebuf, "unknown file format") || strstr(ebuf, "bad dump file format"))
			snprintf(err, errcap, "%s: not a pcap or pcapng capture (%s)", path, ebuf);
		else if (strstr(ebuf, "truncated"))
			snprintf(err, errcap, "%s: cut short inside its file header (%s)", path,
				 ebuf);
		else
			snprintf(err, errcap, "%s: %s", path, ebuf);
		return -1;
	}
	if (!capture_map_link(pcap_datalink(p), &link)) {
		snprintf(err, errcap, "%s: link type %s (%d) is not supported (Ethernet, BSD loopback, "
			 "Linux cooked SLL/SLL2 and raw IP are)",
			 path, pcap_datalink_val_to_name(pcap_datalink(p))
				       ? pcap_datalink_val_to_name(pcap_datalink(p))
				       : "?",
			 pcap_datalink(p));
		pcap_close(p);
		return -1;
	}
	engine_set_link(e, link, pcap_datalink(p));
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9;

		engine_frame(e, ts, data, h->caplen);
	}
	if (rc == PCAP_ERROR) {
		*truncated = true;
		snprintf(err, errcap, "%s: %s", path, pcap_geterr(p));
	}
	pcap_close(p);
	return 0;
}
