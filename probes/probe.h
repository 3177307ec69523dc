/* probe.h: netboot-check probe: ask a live network what each kind of boot client would get. */
#ifndef NBC_PROBES_PROBE_H
#define NBC_PROBES_PROBE_H

/*
 * netboot-check probe --iface IF [options]: DHCP DISCOVERs as a BIOS PXE ROM, a UEFI x64
 * and an ARM64 PXE ROM, iPXE and a pxelinux-aware client (raw frames through libnet,
 * replies through libpcap), then the NBPs over TFTP, the pxelinux lookup walk, the iPXE
 * script over HTTP and its sanboot target over iSCSI (libiscsi). docs/probe.md.
 * Returns the exit status: 0 clean, 1 findings at --fail-on or worse, 2 could not probe,
 * 3 usage.
 */
int probe_main(int argc, char **argv);

#endif
