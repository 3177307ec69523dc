/* pcaploop.c: the physical limit for make bench: a plain libpcap read loop that touches every packet. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	uint64_t n = 0;
	uint64_t sum = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: pcaploop FILE\n");
		return 3;
	}
	p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcaploop: %s\n", err);
		return 2;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		/* Read the headers a decoder would: Ethernet type, IP length, ports. */
		for (uint32_t i = 0; i < h->caplen && i < 64; i++)
			sum += d[i];
		n++;
	}
	pcap_close(p);
	printf("%llu packets (checksum %llu)\n", (unsigned long long)n, (unsigned long long)sum);
	return 0;
}
