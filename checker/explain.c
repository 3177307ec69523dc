/* explain.c: one documentation page per rule ID, for `netboot-check explain` and docs/rules.md. */
#include "checker/explain.h"

#include <string.h>

#include "checker/rules.h"
#include "lint/lint_cmd.h"

/*
 * Sources of the facts below: docs/netboot-protocol-facts.md and docs/field-research.md
 * (shared), RFC 2131/2132 (DHCP), 3004 (user class), 4173 (iSCSI root path), 4578
 * (option 93), 5071 (pxelinux 208-211), 1350/2347/2348 (TFTP), 7143 (iSCSI); the iPXE
 * documentation (ipxe.org/cmd, ipxe.org/cfg) and src/include/ipxe/dhcp.h for the option 175
 * sub-options (8 keep-san, 190/191 username/password, 192/193 their reverse, 203 initiator
 * IQN); dnsmasq(8) 2.90 and dhcpd.conf(5)/dhcp-options(5) 4.4 as installed; tftpd-hpa's
 * in.tftpd(8); tgtadm(8).
 *
 * Kea key names (client-classes with test/next-server/boot-file-name, option-def,
 * option-data with always-send, the DROP class, authoritative, reservations) are those of
 * the Kea ARM, dhcp4-srv.rst ("Setting Fixed Fields in Classification", "Custom DHCPv4
 * Options", "Authoritative DHCPv4 Server Behavior"), looked up with the docs search; Kea has
 * no built-in definition for 175, 203 or 208-211, so the snippets define them. Every Kea
 * snippet here is a list of members of the "Dhcp4" object; wrapped as
 * {"Dhcp4": { SNIPPET }} it also passes `kea-dhcp4 -t` (Kea 2.2). Kea 2.2 takes a binary
 * option value as plain hex ("F100747E") when csv-format is true, not "f1:00:74:7e".
 *
 * Every dhcpd.conf snippet passes `dhcpd -t` (alone when it declares its subnet, else
 * inside "subnet 192.0.2.0 netmask 255.255.255.0 { }"), every dnsmasq snippet
 * `dnsmasq --test`, and every display filter `tshark -Y` (tests/golden/explain.sh).
 */

/* The addresses and names every page uses: RFC 5737's documentation network. */
#define SERVER "192.0.2.1"
#define TARGET "iscsi:" SERVER "::::iqn.2026-11.example:disk0"

static const char CHECK_CMDS[] = "dhcpd -t -cf /etc/dhcp/dhcpd.conf\n"
				 "dnsmasq --test --conf-file=/etc/dnsmasq.conf\n"
				 "kea-dhcp4 -t /etc/kea/kea-dhcp4.conf";

static const struct explain_entry table[] = {
	{
		"NBC-LOOP-USERCLASS",
		/* why */
		"A PXE ROM loads undionly.kpxe or ipxe.efi, and that iPXE starts a DHCP exchange "
		"of its own. If the server answers it the way it answered the ROM, iPXE downloads "
		"and runs itself again, and again: the screen shows iPXE starting over every few "
		"seconds and the boot never gets further. It is the most common way chainloading "
		"goes wrong; the server has to tell the two requests apart.",
		/* wire */
		"Follow one client MAC (chaddr): current iPXE takes a new xid for every DHCP "
		"session. The "
		"ROM's DISCOVER carries option 60 PXEClient and no option 77; its reply names the "
		"iPXE binary in the BOOTP file field or option 67, and a TFTP read request for it "
		"follows. Then iPXE's own DISCOVER, recognisable by option 77 (the four bytes "
		"iPXE, not RFC 3004 length-prefixed) and option 175 (its feature list), gets a "
		"reply naming the same binary, and a second read request for it goes out. The "
		"filter shows iPXE's requests and every reply or read request that names an iPXE "
		"binary.",
		"dhcp.option.type == 175\n"
		"|| dhcp.file matches \"undionly|ipxe[.](efi|pxe)|snponly\"\n"
		"|| dhcp.option.bootfile_name matches \"undionly|ipxe[.](efi|pxe)|snponly\"\n"
		"|| tftp.source_file matches \"undionly|ipxe[.](efi|pxe)|snponly\"",
		/* fix */
		"Branch on who is asking. A request with option 77 = iPXE, or with option 175 "
		"(iPXE adds it to every request, even when its user-class setting was changed), "
		"gets the HTTP script or the real boot target; every other PXE client gets the "
		"iPXE binary. Put the iPXE branch first where order decides (ISC if/elsif, Kea "
		"class order). Or build iPXE with the script embedded (make bin/undionly.kpxe "
		"EMBED=embed.ipxe), so that it never asks DHCP what to load.",
		"next-server " SERVER ";\n"
		"if exists user-class and option user-class = \"iPXE\" {\n"
		"  filename \"http://" SERVER "/boot.ipxe\";\n"
		"} else {\n"
		"  filename \"undionly.kpxe\";\n"
		"}",
		"dhcp-userclass=set:ipxe,iPXE\n"
		"dhcp-match=set:ipxe,175\n"
		"dhcp-boot=tag:!ipxe,undionly.kpxe,," SERVER "\n"
		"dhcp-boot=tag:ipxe,http://" SERVER "/boot.ipxe",
		"\"client-classes\": [\n"
		"  {\n"
		"    \"name\": \"ipxe\",\n"
		"    \"test\": \"option[175].exists or option[77].hex == 'iPXE'\",\n"
		"    \"boot-file-name\": \"http://" SERVER "/boot.ipxe\"\n"
		"  },\n"
		"  {\n"
		"    \"name\": \"pxe-rom\",\n"
		"    \"test\": \"not member('ipxe')\",\n"
		"    \"next-server\": \"" SERVER "\",\n"
		"    \"boot-file-name\": \"undionly.kpxe\"\n"
		"  }\n"
		"]",
		"#!ipxe\n"
		"# embed.ipxe, built in: make bin/undionly.kpxe EMBED=embed.ipxe\n"
		"dhcp\n"
		"chain http://" SERVER "/boot.ipxe",
		NULL, NULL, NULL,
		"NBC-ARCH-MISMATCH NBC-DHCP-NO-BOOTFILE NBC-FLOW-STALLED",
		"lint reports it when an iPXE profile (ipxe-bios, ipxe-efi64: option 77 iPXE and "
		"option 175 present) would be handed an iPXE binary (undionly.kpxe, ipxe.efi, "
		"snponly.efi ...) in some scope: nothing in the configuration tells iPXE from the "
		"PXE ROM.",
	},
	{
		"NBC-ARCH-MISMATCH",
		"Firmware runs only boot programs built for it: UEFI cannot run undionly.kpxe or "
		"pxelinux.0 (real-mode BIOS code), BIOS cannot run a PE image such as ipxe.efi, "
		"and an ARM64 machine cannot run x86-64 code. The client downloads the file and "
		"then stops, starts DHCP over, or tries its next NIC. The classic cause is a "
		"configuration that matches only one of the two codes x64 UEFI firmware puts in "
		"option 93: IANA lists 7 for x64 UEFI while RFC 4578's original table gives 9, "
		"firmware in the field sends either, so a configuration matching only 7 (or only "
		"9) fails on part of a fleet.",
		"Option 93 (client system architecture, 16 bits) and the Arch field of option 60 "
		"(PXEClient:Arch:00007:...) in the DISCOVER or REQUEST, against the file field or "
		"option 67 of the OFFER or ACK. Then the NBP's first bytes in TFTP DATA block 1 "
		"(or the HTTP body): a PE image starts with MZ and its COFF header names the "
		"machine (0x8664 x86-64, 0xAA64 ARM64, 0x014C IA32); a BIOS NBP (.kpxe, "
		"pxelinux.0) is raw real-mode code.",
		"dhcp.option.type == 93 || dhcp.option.dhcp in {2, 5}\n"
		"|| tftp.block == 1",
		"Give each architecture its own boot file and match x64 UEFI on both 7 and 9: 0 "
		"(BIOS) gets undionly.kpxe or pxelinux.0; 7 and 9 (x64 UEFI) get ipxe.efi, "
		"snponly.efi or syslinux.efi; 6 (IA32 UEFI) an i386 EFI build; 11 (ARM64 UEFI) "
		"an arm64 EFI build; 16 (x64 UEFI HTTP boot) an http:// URL of an EFI binary, "
		"with option 60 HTTPClient in the reply. Leave codes you do not serve without a "
		"boot file rather than letting them fall into a branch of the wrong family.",
		"option arch code 93 = unsigned integer 16;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  next-server " SERVER ";\n"
		"  if option arch = 00:07 or option arch = 00:09 {\n"
		"    filename \"ipxe.efi\";\n"
		"  } elsif option arch = 00:0b {\n"
		"    filename \"arm64/ipxe.efi\";\n"
		"  } elsif option arch = 00:00 {\n"
		"    filename \"undionly.kpxe\";\n"
		"  }\n"
		"}",
		"dhcp-match=set:bios,option:client-arch,0\n"
		"dhcp-match=set:efi64,option:client-arch,7\n"
		"dhcp-match=set:efi64,option:client-arch,9\n"
		"dhcp-match=set:arm64,option:client-arch,11\n"
		"dhcp-boot=tag:bios,undionly.kpxe,," SERVER "\n"
		"dhcp-boot=tag:efi64,ipxe.efi,," SERVER "\n"
		"dhcp-boot=tag:arm64,arm64/ipxe.efi,," SERVER,
		"\"next-server\": \"" SERVER "\",\n"
		"\"client-classes\": [\n"
		"  {\n"
		"    \"name\": \"efi-x64\",\n"
		"    \"test\": \"option[93].hex == 0x0007 or option[93].hex == 0x0009\",\n"
		"    \"boot-file-name\": \"ipxe.efi\"\n"
		"  },\n"
		"  {\n"
		"    \"name\": \"efi-arm64\",\n"
		"    \"test\": \"option[93].hex == 0x000b\",\n"
		"    \"boot-file-name\": \"arm64/ipxe.efi\"\n"
		"  },\n"
		"  {\n"
		"    \"name\": \"bios\",\n"
		"    \"test\": \"option[93].hex == 0x0000\",\n"
		"    \"boot-file-name\": \"undionly.kpxe\"\n"
		"  }\n"
		"]",
		"#!ipxe\n"
		"# a script shared by BIOS and UEFI clients branches on the platform\n"
		"iseq ${platform} efi && goto efi || goto bios\n"
		":efi\n"
		"chain http://" SERVER "/efi/menu.ipxe\n"
		":bios\n"
		"chain http://" SERVER "/bios/menu.ipxe",
		NULL, NULL, NULL,
		"NBC-LOOP-USERCLASS NBC-DHCP-NO-BOOTFILE NBC-FLOW-STALLED",
		"lint reports it when a BIOS profile (bios-pxe, ipxe-bios) would be handed an EFI "
		"binary, or a UEFI profile (efi64-pxe, efi64-pxe-9, ipxe-efi64) a BIOS image; the "
		"efi64-pxe-9 profile catches configurations that match arch 7 only.",
	},
	{
		"NBC-DHCP-NO-BOOTFILE",
		"Without a boot file name the client has nothing to download: a PXE ROM stops with "
		"PXE-E53 (no boot filename received) and moves on to the next boot device; iPXE "
		"finds nothing to boot. Usually the file name sits in a class, host or tag branch "
		"this client does not match, or the answer the client took came from another DHCP "
		"server than the boot server.",
		"The OFFER or ACK to a client whose request carries option 60 PXEClient (or "
		"iPXE's option 77 or 175) has an empty BOOTP file field and no option 67. Note "
		"who sent it (option 54): when two servers answer, it is often the other one. "
		"dnsmasq moves the name from the file field into option 67 when it needs the "
		"space, so read both.",
		"dhcp.option.dhcp in {2, 5} && dhcp.file == \"\"\n"
		"&& !(dhcp.option.type == 67)",
		"Put the file name, and the TFTP server with it, in the scope this client really "
		"matches: compare the condition of the class, host or tag that carries it with "
		"the client's request (options 60, 93 and 77, the MAC). If another server "
		"answered, see NBC-DHCP-MULTI-SERVER.",
		"next-server " SERVER ";\n"
		"filename \"pxelinux.0\";",
		"dhcp-boot=pxelinux.0,," SERVER,
		"\"subnet4\": [\n"
		"  {\n"
		"    \"id\": 1,\n"
		"    \"subnet\": \"192.0.2.0/24\",\n"
		"    \"next-server\": \"" SERVER "\",\n"
		"    \"boot-file-name\": \"pxelinux.0\"\n"
		"  }\n"
		"]",
		NULL, NULL, NULL, NULL,
		"NBC-DHCP-MULTI-SERVER NBC-DHCP-NO-NEXT-SERVER NBC-ARCH-MISMATCH "
		"NBC-LOOP-USERCLASS",
		"lint reports it when a profile is answered in some scope but handed no boot file "
		"(and, for the iPXE profiles, no root path either).",
	},
	{
		"NBC-DHCP-NO-NEXT-SERVER",
		"The client has a file name but no address to fetch it from. With siaddr 0.0.0.0 "
		"and no option 66 a PXE ROM sends no read request at all, or sends it to the DHCP "
		"server, which runs no TFTP: PXE-E32 (TFTP open timeout). ISC dhcpd leaves siaddr "
		"at 0.0.0.0 unless a next-server statement applies (iPXE's page for error 3c0920 "
		"notes that newer dhcpd releases stopped filling it in), so configurations that "
		"used to work can break after an upgrade.",
		"An OFFER or ACK with a boot file name that is not a URL, siaddr (the BOOTP next "
		"server field) 0.0.0.0 and no option 66; then no TFTP read request from the "
		"client, or read requests to an address where nothing answers on UDP port 69 "
		"(the request repeated, or ICMP port unreachable).",
		"(dhcp.option.dhcp in {2, 5} && dhcp.ip.server == 0.0.0.0\n"
		"  && !(dhcp.option.type == 66)) || tftp.opcode == 1",
		"Name the TFTP server in the same scope as the file name. siaddr (next-server) is "
		"what PXE ROMs use; option 66 is a fallback that some ROMs ignore, and a host name "
		"there must be one the ROM can resolve, so prefer an address. dnsmasq fills siaddr "
		"with its own address when dhcp-boot has no third field, which is right only when "
		"dnsmasq serves TFTP itself (enable-tftp); an address given to dhcp-option=66 "
		"needs quotes, or dnsmasq encodes it as 4 bytes instead of text. For iPXE, a full "
		"URL as the file name (tftp://" SERVER "/file, or http://) needs no next-server.",
		"next-server " SERVER ";\n"
		"filename \"pxelinux.0\";",
		"# the third field is the TFTP server's address\n"
		"dhcp-boot=pxelinux.0,," SERVER,
		"\"next-server\": \"" SERVER "\",\n"
		"\"boot-file-name\": \"pxelinux.0\"",
		"#!ipxe\n"
		"chain tftp://" SERVER "/pxelinux.0",
		NULL, NULL, NULL,
		"NBC-DHCP-NO-BOOTFILE NBC-TFTP-INCOMPLETE NBC-TFTP-NOT-FOUND",
		"lint reports it when a profile is handed a TFTP file name (not a URL) with no "
		"next-server and no option 66 in its scope.",
	},
	{
		"NBC-DHCP-MULTI-SERVER",
		"When a router, a hypervisor or a second DHCP server answers too, the client takes "
		"one offer, usually the first to arrive, and that need not be the one with the "
		"boot information: the boot fails for no reason the boot server's own log shows. "
		"iPXE has been seen to pick the offer without a boot file every time. Two servers "
		"with overlapping ranges also hand out conflicting leases. A proxyDHCP offer "
		"(no address, option 60 PXEClient) is the intended way for a boot server to "
		"answer next to an address server, and is not counted.",
		"Several OFFERs for one DISCOVER (same xid and chaddr) with different option 54 "
		"server identifiers; the REQUEST's own option 54 shows which one the client chose, "
		"and its OFFER may lack the file name another had.",
		"dhcp.option.dhcp in {2, 3}",
		"Let one server answer boot clients on this segment. Either switch the other DHCP "
		"service off for the segment, or make it ignore PXE clients (option 60 starting "
		"with PXEClient) so that the boot server gives them their addresses; or keep the "
		"existing server for addresses and run the boot server as proxyDHCP, which adds "
		"only boot information (dnsmasq dhcp-range=...,proxy; ISC dhcpd has no proxy "
		"mode). The dhcpd and Kea snippets below go on the server that must leave PXE "
		"clients alone, the dnsmasq one on the boot server.",
		"class \"pxe\" {\n"
		"  match if substring(option vendor-class-identifier, 0, 9) = \"PXEClient\";\n"
		"}\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  pool {\n"
		"    deny members of \"pxe\";\n"
		"    range 192.0.2.100 192.0.2.150;\n"
		"  }\n"
		"}",
		"# proxyDHCP: boot information only, the other server gives addresses\n"
		"dhcp-range=192.0.2.0,proxy\n"
		"enable-tftp\n"
		"tftp-root=/srv/tftp\n"
		"pxe-service=x86PC,\"Network boot\",pxelinux\n"
		"pxe-service=x86-64_EFI,\"Network boot\",syslinux.efi",
		"\"client-classes\": [\n"
		"  {\n"
		"    \"name\": \"DROP\",\n"
		"    \"test\": \"substring(option[60].hex,0,9) == 'PXEClient'\"\n"
		"  }\n"
		"]",
		NULL, NULL, NULL, NULL,
		"NBC-DHCP-NO-BOOTFILE NBC-DHCP-FOREIGN-NAK",
		"lint does not report it: one configuration cannot show a second server. It needs "
		"a capture of the segment (netboot-check analyze or live).",
	},
	{
		"NBC-DHCP-FOREIGN-NAK",
		"A DHCPNAK makes the client drop the address it was about to take and start over "
		"with a DISCOVER. A server that does not own the client's range but answers its "
		"REQUEST with a NAK sends clients round in DHCP, so that they boot only on a later "
		"try or not at all. iPXE restarted discovery on a NAK from any server from 2021 "
		"until February 2023 (ipxe/ipxe pull request 879 made it ignore NAKs from "
		"servers it did not select).",
		"A DHCPNAK (option 53 = 6) whose option 54 server identifier is not the server the "
		"client's REQUEST named in its own option 54.",
		"dhcp.option.dhcp in {3, 6}",
		"Let only the server that owns the segment answer there. The usual source is two "
		"independent servers splitting one subnet's range between them: ISC dhcpd NAKs "
		"a request for an address of its subnet outside its own ranges whether it is "
		"authoritative or not (found by iPXE's maintainer, ipxe/ipxe pull request 879), "
		"so give the segment one server (or a dhcpd failover pair) instead. A dhcpd "
		"without a subnet declaration for an interface's network ignores requests "
		"there. Where the NAKs come from a server that claims authority, remove the "
		"claim on every server but the owner: authoritative; in dhcpd (not authoritative "
		"is its default), \"authoritative\": true in Kea (default false, which stays "
		"silent on requests it knows nothing about), dhcp-authoritative in dnsmasq "
		"(without it dnsmasq ignores requests for leases it does not know).",
		"# in the scope of a segment this server does not own; better, no\n"
		"# subnet declaration for that segment at all\n"
		"not authoritative;",
		"# no dhcp-authoritative on a server that does not own the segment;\n"
		"# better, no DHCP at all on the interface that faces it\n"
		"no-dhcp-interface=eth1",
		"\"authoritative\": false",
		NULL, NULL, NULL, NULL,
		"NBC-DHCP-MULTI-SERVER NBC-LINK-DELAY",
		"lint does not report it: it needs the other server's traffic (netboot-check "
		"analyze or live).",
	},
	{
		"NBC-PXELINUX-209-MISSING",
		"pxelinux reads options 209 (config file) and 210 (path prefix) from the DHCP "
		"reply the PXE ROM cached. The ROM never asks for 208-211 in its parameter request "
		"list (option 55), and ISC dhcpd and dnsmasq send only what was asked for, so "
		"options that are defined in the configuration never reach pxelinux. pxelinux "
		"then walks its default lookup (UUID, MAC, IP, default) under the boot file's "
		"directory, and boots whatever it finds there, or nothing.",
		"The ACK to the PXE ROM, which pxelinux reuses through the PXE API instead of "
		"asking again, has no option 209 (or 210), and the ROM's option 55 lacks 209. "
		"Then come TFTP read requests (or HTTP GETs, for lpxelinux) for "
		"pxelinux.cfg/<uuid>, pxelinux.cfg/01-<mac> and so on, instead of the configured "
		"file.",
		"(dhcp.option.dhcp == 5 && !(dhcp.option.type == 209))\n"
		"|| tftp.source_file contains \"pxelinux.cfg/\"\n"
		"|| http.request.uri contains \"pxelinux.cfg/\"",
		"Make the server send 209 and 210 without being asked; or, when iPXE loads "
		"pxelinux, set them in the iPXE script (iPXE hands its settings to pxelinux). ISC "
		"dhcpd: append 208-211 (hex d0-d3) to the client's request list, so that dhcpd "
		"treats them as requested. dnsmasq: dhcp-option-force. Kea: always-send on the "
		"option data. 208 (the magic F1:00:74:7E) was wanted by old pxelinux versions "
		"only; sending it does no harm.",
		"option space pxelinux;\n"
		"option pxelinux.magic code 208 = string;\n"
		"option pxelinux.configfile code 209 = text;\n"
		"option pxelinux.pathprefix code 210 = text;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  next-server " SERVER ";\n"
		"  filename \"pxelinux.0\";\n"
		"  site-option-space \"pxelinux\";\n"
		"  option pxelinux.magic f1:00:74:7e;\n"
		"  option pxelinux.configfile \"pxelinux.cfg/boot\";\n"
		"  option pxelinux.pathprefix \"/\";\n"
		"  if exists dhcp-parameter-request-list {\n"
		"    option dhcp-parameter-request-list = concat(\n"
		"      option dhcp-parameter-request-list, d0, d1, d2, d3);\n"
		"  }\n"
		"}",
		"dhcp-option-force=208,f1:00:74:7e\n"
		"dhcp-option-force=209,pxelinux.cfg/boot\n"
		"dhcp-option-force=210,/",
		"\"option-def\": [\n"
		"  { \"name\": \"pxelinux-magic\", \"code\": 208, \"type\": \"binary\" },\n"
		"  { \"name\": \"pxelinux-configfile\", \"code\": 209, \"type\": \"string\" },\n"
		"  { \"name\": \"pxelinux-pathprefix\", \"code\": 210, \"type\": \"string\" }\n"
		"],\n"
		"\"option-data\": [\n"
		"  { \"name\": \"pxelinux-magic\", \"data\": \"F100747E\",\n"
		"    \"always-send\": true },\n"
		"  { \"name\": \"pxelinux-configfile\", \"data\": \"pxelinux.cfg/boot\",\n"
		"    \"always-send\": true },\n"
		"  { \"name\": \"pxelinux-pathprefix\", \"data\": \"/\",\n"
		"    \"always-send\": true }\n"
		"]",
		"#!ipxe\n"
		"set 209:string pxelinux.cfg/boot\n"
		"set 210:string http://" SERVER "/\n"
		"chain ${210:string}lpxelinux.0",
		NULL, NULL, NULL,
		"NBC-PXELINUX-LOOKUP-ORDER NBC-PXELINUX-NO-CONFIG",
		"lint reports it when 209 or 210 is defined for a profile that boots pxelinux but "
		"would not reach it: the profile's request list (a PXE ROM's, or iPXE's) lacks "
		"209/210 and nothing appends to it or forces it (dhcpd concat, dnsmasq "
		"dhcp-option-force, Kea always-send).",
	},
	{
		"NBC-PXELINUX-LOOKUP-ORDER",
		"pxelinux tries config names in a fixed order computed from the client: "
		"pxelinux.cfg/ followed by the UUID of option 97, 01- and the MAC (lower case, "
		"dashes), the client IP in upper-case hex shortened one digit at a time (8 names), "
		"then default; the first that exists wins. A walk in another order or under "
		"another directory means the client is not running the loader you think, the "
		"boot file path put the walk under an unexpected prefix (pxelinux uses the boot "
		"file's directory, or option 210), or option 210 is wrong. The per-machine file "
		"is then never read and the machine boots another menu. (pxelinux 6.x skips the "
		"UUID step for a UUID it considers invalid: syslinux is_valid_uuid.)",
		"The TFTP read requests (or HTTP GETs, for lpxelinux) for pxelinux.cfg/... after "
		"the NBP. Compare each name with the one expected from option 97 (its 16 bytes in "
		"wire order, not the GUID Wireshark shows, which swaps the first three fields), "
		"the MAC, and the address from the ACK's yiaddr. Each miss is a TFTP ERROR 1 and "
		"is expected; the finding is about order and place. The walk ends at the first "
		"name that loads: config names read after it, until the next NBP, are that "
		"config's INCLUDE or CONFIG files, not a walk. A name whose request the capture "
		"lacks while the server's answer to it is there was asked (the packet was lost); "
		"a walk after a script the capture does not hold whole is not checked.",
		"tftp.source_file contains \"pxelinux.cfg/\"\n"
		"|| http.request.uri contains \"pxelinux.cfg/\"\n"
		"|| dhcp.option.type in {97, 209, 210}",
		"Give pxelinux a boot file name relative to the TFTP root (pxelinux.0, not "
		"/srv/tftp/pxelinux.0: with a chrooted TFTP server the walk would then look under "
		"/srv/tftp/pxelinux.cfg/ inside the root), and a path prefix (210) that ends in a "
		"slash and names the directory that holds pxelinux.cfg/. Or name the config "
		"outright with option 209 (NBC-PXELINUX-209-MISSING) and stop depending on the "
		"walk.",
		"option space pxelinux;\n"
		"option pxelinux.pathprefix code 210 = text;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  next-server " SERVER ";\n"
		"  filename \"pxelinux.0\";\n"
		"  site-option-space \"pxelinux\";\n"
		"  option pxelinux.pathprefix \"/\";\n"
		"  if exists dhcp-parameter-request-list {\n"
		"    option dhcp-parameter-request-list = concat(\n"
		"      option dhcp-parameter-request-list, d2);\n"
		"  }\n"
		"}",
		"dhcp-boot=pxelinux.0,," SERVER "\n"
		"dhcp-option-force=210,/",
		"\"option-def\": [\n"
		"  { \"name\": \"pxelinux-pathprefix\", \"code\": 210, \"type\": \"string\" }\n"
		"],\n"
		"\"option-data\": [\n"
		"  { \"name\": \"pxelinux-pathprefix\", \"data\": \"/\",\n"
		"    \"always-send\": true }\n"
		"],\n"
		"\"next-server\": \"" SERVER "\",\n"
		"\"boot-file-name\": \"pxelinux.0\"",
		"#!ipxe\n"
		"set 210:string http://" SERVER "/\n"
		"chain ${210:string}lpxelinux.0",
		NULL, NULL, NULL,
		"NBC-PXELINUX-209-MISSING NBC-PXELINUX-NO-CONFIG NBC-TFTP-NOT-FOUND",
		"lint does not report it: the order is a property of the loader, seen in traffic. "
		"lint computes the path the configuration leads to (209 under the 210 prefix, "
		"else pxelinux.cfg/default) and checks that it exists (NBC-PXELINUX-NO-CONFIG).",
	},
	{
		"NBC-PXELINUX-NO-CONFIG",
		"When no name of the lookup walk exists, pxelinux has no menu and no default: it "
		"reports that it found no configuration file and, after the time of option 211 "
		"(RFC 5071), reboots, to fail the same way again. Every machine without a file "
		"of its own falls through to pxelinux.cfg/default, so a missing default stops "
		"them all.",
		"TFTP read requests (or HTTP GETs) for the pxelinux.cfg/ names, each answered "
		"with ERROR 1 (file not found) or HTTP 404, down to pxelinux.cfg/default; then "
		"nothing more from the client until it reboots.",
		"tftp.source_file contains \"pxelinux.cfg/\" || tftp.error.code == 1\n"
		"|| http.request.uri contains \"pxelinux.cfg/\"",
		"Create pxelinux.cfg/default where the walk looked (under the TFTP root, in the "
		"boot file's directory or under the 210 prefix), or a file of the machine's own "
		"named as the walk asks: 01-aa-bb-cc-dd-ee-ff for MAC aa:bb:cc:dd:ee:ff, or the "
		"hex address, C0000264 for 192.0.2.100. If 209 names the file, make that file "
		"exist relative to the 210 prefix.",
		NULL, NULL, NULL, NULL,
		"# pxelinux.cfg/default\n"
		"DEFAULT local\n"
		"LABEL local\n"
		"  LOCALBOOT 0",
		NULL, NULL,
		"NBC-PXELINUX-LOOKUP-ORDER NBC-PXELINUX-209-MISSING NBC-PXELINUX-NO-DEFAULT "
		"NBC-TFTP-NOT-FOUND",
		"lint reports it when 209 names a file that is not under the TFTP (or HTTP) root, "
		"and, as a warning, when there is no pxelinux.cfg/default (files per machine may "
		"exist).",
	},
	{
		"NBC-TFTP-NOT-FOUND",
		"The client asked for a file the boot needs (the NBP, a kernel, an initrd, a COM32 "
		"module) and the server refused it: a PXE ROM stops with PXE-E3B (TFTP error, "
		"file not found), pxelinux and iPXE print an error and abandon that entry. "
		"Common causes: a difference in case; a path that repeats the TFTP root although "
		"the server is chrooted (tftpd-hpa --secure); a relative path resolved against "
		"another directory than expected; a file the TFTP server's user cannot read; a "
		"ROM that mangles the name (a dropped last character, trailing garbage).",
		"A TFTP read request (opcode 1) answered with ERROR (opcode 5) code 1 (file not "
		"found) or 2 (access violation). Misses during a pxelinux lookup walk and iPXE's "
		"own autoexec.ipxe probe are expected and not flagged. Compare the requested name "
		"byte for byte with the DHCP file field: a difference there is a ROM bug.",
		"tftp.opcode == 1 || tftp.error.code in {1, 2}",
		"Make the name exist under the TFTP root exactly as requested (case, directory), "
		"readable by the TFTP server's user. With a chrooted server, names are relative "
		"to the root: the DHCP file name must not repeat the root directory. tftpd-hpa "
		"--verbose logs each request and its outcome; a remap rule (tftpd-hpa "
		"--map-file) can repair names a ROM mangles.",
		"next-server " SERVER ";\n"
		"# relative to the TFTP root, not /srv/tftp/pxelinux.0\n"
		"filename \"pxelinux.0\";",
		"enable-tftp\n"
		"tftp-root=/srv/tftp\n"
		"dhcp-boot=pxelinux.0",
		"\"boot-file-name\": \"pxelinux.0\"",
		NULL,
		"# names are relative to pxelinux's prefix (210, or the boot\n"
		"# file's directory), in the case they have on the server\n"
		"DEFAULT linux\n"
		"LABEL linux\n"
		"  KERNEL vmlinuz\n"
		"  APPEND initrd=initrd.img",
		"tftpd-hpa (/etc/default/tftpd-hpa)",
		"TFTP_DIRECTORY=\"/srv/tftp\"\n"
		"TFTP_OPTIONS=\"--secure --verbose\"",
		"NBC-PXELINUX-NO-CONFIG NBC-HTTP-STATUS NBC-DHCP-NO-NEXT-SERVER",
		"lint reports it when a boot file, kernel, initrd or COM32 module named by the "
		"DHCP configuration or a pxelinux config is not under --tftp-root (or under dnsmasq's "
		"tftp-root, when that directory exists where lint runs).",
	},
	{
		"NBC-TFTP-INCOMPLETE",
		"A transfer that ends before its last, short block leaves the client with nothing "
		"to run: it retries, gives up with a TFTP error (PXE-E32 when the first answer "
		"never comes), or hangs. Typical causes: the client rejects an option the server "
		"granted in its OACK; a firewall or NAT lets port 69 through but not the server's "
		"data port; packet loss; a server that crashed or hit its transfer limit.",
		"The read request, the server's OACK (opcode 6) with the granted blksize, tsize "
		"and windowsize, then DATA (3) and ACK (4) between the client's port and a new "
		"server port, until a block shorter than blksize ends it. Incomplete means an "
		"ERROR (5) from the client after the OACK, an ERROR from the server in the middle, "
		"DATA that stops short of the size the OACK announced, or a read request nobody "
		"answers. Not counted: the tsize probe (read request with tsize, OACK, the "
		"client's ERROR 8, then a new read request of the same file), which Wireshark "
		"marks as a likely tsize probe.",
		"tftp.opcode in {1, 5, 6}",
		"Read the TFTP server's log for that transfer. A client that aborts right after "
		"the OACK dislikes an option: cap blksize, or stop granting windowsize. When DATA "
		"never reaches the client, open the server's data ports in the firewall (TFTP "
		"answers from a new port, not 69), or pin them to a range you can open. Large "
		"files in the iPXE stage are better fetched over HTTP.",
		NULL,
		"# answer from ports a firewall can allow\n"
		"tftp-port-range=40000,40100",
		NULL,
		"#!ipxe\n"
		"kernel http://" SERVER "/vmlinuz initrd=initrd.img\n"
		"initrd http://" SERVER "/initrd.img\n"
		"boot",
		NULL,
		"tftpd-hpa (/etc/default/tftpd-hpa)",
		"TFTP_OPTIONS=\"--secure --port-range 40000:40100 --blocksize 1468\"",
		"NBC-TFTP-BLKSIZE NBC-TFTP-RETRANSMIT NBC-DHCP-NO-NEXT-SERVER NBC-ARCH-MISMATCH",
		"lint does not report it: it is a fault of the transfer, seen in traffic "
		"(netboot-check analyze or live).",
	},
	{
		"NBC-TFTP-RETRANSMIT",
		"TFTP sends one window (one block by default) and waits for its ACK, so every lost "
		"packet costs a whole timeout, often seconds: a few per transfer turn a 30-second "
		"download into minutes, many make it fail. A server that answers each duplicate "
		"ACK with another copy of the DATA (the Sorcerer's Apprentice bug, RFC 1123 "
		"section 4.2.3.1) doubles the traffic and makes it worse.",
		"Within one transfer (one client port and server port pair): DATA (opcode 3) with "
		"the same block number sent more than once, and ACKs (opcode 4) for the same "
		"block repeated, after the transfer's read request. Sort by tftp.block to see "
		"them side by side.",
		"tftp.opcode in {1, 3, 4}",
		"Find the loss: a duplex mismatch or errors on a switch port, a congested or lossy "
		"link, Wi-Fi or a tunnel on the path. Lower blksize so that DATA is not fragmented "
		"(NBC-TFTP-BLKSIZE). For the iPXE stage, HTTP over TCP copes with loss far "
		"better than TFTP.",
		NULL, NULL, NULL,
		"#!ipxe\n"
		"chain http://" SERVER "/boot.ipxe",
		NULL,
		"the boot server's NIC (Linux)",
		"ethtool eth0 | grep -E 'Speed|Duplex'\n"
		"ip -s link show dev eth0",
		"NBC-TFTP-BLKSIZE NBC-TFTP-INCOMPLETE NBC-LINK-DELAY",
		"lint does not report it: it is a fault of the path, seen in traffic "
		"(netboot-check analyze or live).",
	},
	{
		"NBC-TFTP-BLKSIZE",
		"A blksize of 1468 makes 1500-byte IP packets (1468 bytes of data, 4 of TFTP "
		"header, 8 of UDP, 20 of IP). Where the path MTU is smaller (a VPN, WireGuard at "
		"1420, VXLAN, a jumbo-frame mismatch) DATA is fragmented or dropped, and many "
		"boot ROMs cannot reassemble IP fragments: the first block never arrives and the "
		"transfer times out.",
		"The blksize option in the read request and the value the server grants in its "
		"OACK; DATA arriving as IP fragments (more-fragments flag or a fragment offset), "
		"or ICMP fragmentation needed (type 3, code 4); DATA block 1 sent again and again "
		"without an ACK.",
		"tftp.option.name == \"blksize\" || ip.flags.mf == 1\n"
		"|| ip.frag_offset > 0 || (icmp.type == 3 && icmp.code == 4)",
		"Cap the block size on the TFTP server at the smallest MTU on the path minus 32: "
		"1468 for 1500, 1388 for WireGuard's 1420. The client may ask for more; the "
		"server's OACK decides. dnsmasq already caps blksize at its interface's MTU minus "
		"32, so tftp-mtu only helps with a value below that: the path MTU.",
		NULL,
		"# blksize at most 1420 - 32 = 1388, for a 1420-byte path\n"
		"tftp-mtu=1420",
		NULL, NULL, NULL,
		"tftpd-hpa (/etc/default/tftpd-hpa)",
		"TFTP_OPTIONS=\"--secure --blocksize 1468\"",
		"NBC-TFTP-RETRANSMIT NBC-TFTP-INCOMPLETE",
		"lint does not report it: the path MTU is not in a configuration file. It needs a "
		"capture (netboot-check analyze or live).",
	},
	{
		"NBC-LINK-DELAY",
		"An access port under classic spanning tree listens and learns for 30 s (twice the "
		"default forward delay of 15 s) before it forwards; LACP and slow "
		"autonegotiation add more. A PXE ROM sends only a few DISCOVERs with doubling "
		"timeouts, about a minute in all, then gives up (PXE-E51, no DHCP offers "
		"received). When iPXE's native driver takes over the NIC it resets it, the link "
		"goes down and up again, and iPXE's own DHCP meets the same wait.",
		"The secs field (seconds since the client began) of the first DISCOVER the server "
		"sees is already 10 or more, or several DISCOVERs from one MAC go unanswered "
		"before the first OFFER. A capture on the client's own port shows the early "
		"DISCOVERs that never reached the server.",
		"(dhcp.option.dhcp == 1 && dhcp.secs >= 10) || dhcp.option.dhcp == 2",
		"Make the ports of boot clients forward at link-up: PortFast (Cisco) or edge port "
		"(RSTP/MSTP, other vendors), or no spanning tree on those access ports; check "
		"LACP and speed negotiation. A Linux bridge in front of virtual machines: ip link "
		"set dev br0 type bridge stp_state 0. In an embedded iPXE script, retry DHCP "
		"instead of giving up.",
		NULL, NULL, NULL,
		"#!ipxe\n"
		":retry\n"
		"dhcp || goto retry\n"
		"chain http://" SERVER "/boot.ipxe",
		NULL,
		"switch (Cisco IOS)",
		"interface GigabitEthernet1/0/10\n"
		" spanning-tree portfast",
		"NBC-DHCP-FOREIGN-NAK NBC-FLOW-STALLED",
		"lint does not report it: the switch is not in the configuration. It needs a "
		"capture (netboot-check analyze or live).",
	},
	{
		"NBC-HTTP-STATUS",
		"In the iPXE stage scripts, kernels, initrds and images come over HTTP: a 404 or "
		"500 there stops that step (iPXE prints the error with an ipxe.org link and the "
		"script ends, unless it handles the failure). A URL with an empty or literal "
		"${...} in it means the script used a setting that was never set, so the request "
		"went to a wrong path.",
		"An HTTP GET from the client (User-Agent iPXE/...) answered with a status from "
		"400 to 599, or a request URI that contains ${ or its escaped form %7B. iPXE's "
		"own first request for autoexec.ipxe may get a 404; that is normal.",
		"http.response.code >= 400 || http.request.uri matches \"[$][{]|%7[Bb]\"",
		"Put the file where the URL points (the HTTP server's document root plus the "
		"path), fix the spelling in the DHCP reply or the script, and set every setting a "
		"URL uses before the line that uses it. Handle failures, so that a failed fetch "
		"says which URL failed instead of ending the boot.",
		NULL, NULL, NULL,
		"#!ipxe\n"
		"isset ${base} || set base http://" SERVER "/\n"
		"kernel ${base}vmlinuz initrd=initrd.img || goto failed\n"
		"initrd ${base}initrd.img || goto failed\n"
		"boot || goto failed\n"
		":failed\n"
		"echo fetching from ${base} failed\n"
		"shell",
		NULL,
		"check the URL from the boot network",
		"curl -sS -o /dev/null -w '%{http_code}\\n' -A iPXE/1.0 \\\n"
		"  http://" SERVER "/boot.ipxe",
		"NBC-IPXE-SCRIPT NBC-TFTP-NOT-FOUND",
		"lint reports it when a boot file or a script target given as an http:// URL is "
		"not under --http-root (the client would get 404).",
	},
	{
		"NBC-IPXE-SCRIPT",
		"iPXE runs a fetched file as a script only if it begins with #!ipxe; anything else "
		"it takes for an image it cannot boot. An unknown command, a goto to a missing "
		"label or a malformed URI stops the script at that line. And when the client's "
		"next request is not the target of the script's first boot command, the script "
		"served is not the one you think (another copy, a cache), or a command before it "
		"failed.",
		"The HTTP response that carries the script, to a request with User-Agent "
		"iPXE/...: its body should begin with #!ipxe (a malformed one may not, so the "
		"filter also takes responses to requests for *.ipxe). Then the client's next "
		"HTTP request or iSCSI connection, which should match the script's first chain, "
		"kernel or sanboot target.",
		"http.file_data contains \"#!ipxe\" || http.user_agent contains \"iPXE\"\n"
		"|| http.response_for.uri contains \".ipxe\"",
		"Begin the script with #!ipxe on its first line (nothing before it, not even a "
		"blank line or a byte order mark), use only commands from ipxe.org/cmd, define "
		"every label a goto names, and handle failures with || goto. Try the script by "
		"hand from the iPXE shell (Ctrl-B at the iPXE banner, then dhcp and chain URL).",
		NULL, NULL, NULL,
		"#!ipxe\n"
		"set base http://" SERVER "/\n"
		"chain ${base}menu.ipxe || goto failed\n"
		":failed\n"
		"echo chain ${base}menu.ipxe failed\n"
		"shell",
		NULL, NULL, NULL,
		"NBC-HTTP-STATUS NBC-ROOTPATH-SYNTAX NBC-FLOW-STALLED",
		"lint reads iPXE scripts (a #!ipxe first line, or *.ipxe) with the parser analyze "
		"uses, and reports a missing #!ipxe, unknown commands, goto to a missing label "
		"and bad URIs.",
	},
	{
		"NBC-ROOTPATH-SYNTAX",
		"iPXE reads an iscsi: root path as RFC 4173 lays it out: "
		"iscsi:<server>:<protocol>:<port>:<LUN>:<targetname>. A missing colon shifts "
		"every field (the target name lands in the LUN or the port), so the SAN boot "
		"fails at once or goes to the wrong target. Empty fields take their defaults: "
		"protocol 6 (TCP), port 3260, LUN 0.",
		"Option 17 (root path) in the OFFER or ACK, or the URI of a sanboot or sanhook "
		"line in a fetched script; then the TCP connection to port 3260 that should "
		"follow, or none.",
		"dhcp.option.type == 17 || http.file_data contains \"sanboot\"\n"
		"|| http.file_data contains \"sanhook\"\n"
		"|| (tcp.flags.syn == 1 && tcp.dstport == 3260)",
		"Keep all five separators after iscsi: and leave protocol, port and LUN empty for "
		"their defaults: " TARGET " is server " SERVER ", TCP, port 3260, LUN 0. Give "
		"the port as a number, the LUN in hex, and a target name in iqn. (or eui.) form; "
		"the target name itself may contain colons.",
		"option root-path \"" TARGET "\";",
		"dhcp-option=option:root-path," TARGET,
		"\"option-data\": [\n"
		"  {\n"
		"    \"name\": \"root-path\",\n"
		"    \"data\": \"" TARGET "\"\n"
		"  }\n"
		"]",
		"#!ipxe\n"
		"set root-path " TARGET "\n"
		"sanboot ${root-path}",
		NULL, NULL, NULL,
		"NBC-ISCSI-LOGIN NBC-IPXE-SCRIPT",
		"lint reports it for the root path of a sanboot or sanhook line in an iPXE script "
		"that breaks RFC 4173.",
	},
	{
		"NBC-ISCSI-LOGIN",
		"sanboot has to log in to the target before it can read a block; a refused login "
		"ends the SAN boot at once (iPXE cannot open the SAN device). The target name is "
		"wrong or not configured (status 0x0203, target not found), the initiator is not "
		"in the target's access list (0x0202, authorization failure), the LUN does not "
		"exist, or the target is out of resources (0x03xx). A login that never completes "
		"points at a target that stops answering during the negotiation.",
		"A TCP connection to port 3260, the Login Request (iSCSI opcode 0x03) with "
		"InitiatorName and TargetName among its text keys, and the Login Response (0x23) "
		"with a status class and detail other than 0x0000; or login PDUs and then FIN or "
		"RST before the login reaches full feature phase.",
		"iscsi.opcode in {0x03, 0x23}",
		"Compare the TargetName the initiator sends with the target's configuration, "
		"check that the LUN exists, and let the initiator in: its name is in the login "
		"(iPXE builds one from iqn.2010-04.org.ipxe: and the host name or UUID unless "
		"option 203 or the initiator-iqn setting gives one), or allow its address.",
		"option iscsi-initiator-iqn code 203 = string;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  host client1 {\n"
		"    hardware ethernet 52:54:00:12:34:56;\n"
		"    option iscsi-initiator-iqn \"iqn.2010-04.org.ipxe:client1\";\n"
		"  }\n"
		"}",
		"dhcp-host=52:54:00:12:34:56,set:client1\n"
		"dhcp-option=tag:client1,203,iqn.2010-04.org.ipxe:client1",
		"\"option-def\": [\n"
		"  { \"name\": \"iscsi-initiator-iqn\", \"code\": 203, \"type\": \"string\" }\n"
		"],\n"
		"\"subnet4\": [\n"
		"  {\n"
		"    \"id\": 1,\n"
		"    \"subnet\": \"192.0.2.0/24\",\n"
		"    \"reservations\": [\n"
		"      {\n"
		"        \"hw-address\": \"52:54:00:12:34:56\",\n"
		"        \"option-data\": [\n"
		"          { \"name\": \"iscsi-initiator-iqn\",\n"
		"            \"data\": \"iqn.2010-04.org.ipxe:client1\" }\n"
		"        ]\n"
		"      }\n"
		"    ]\n"
		"  }\n"
		"]",
		"#!ipxe\n"
		"set initiator-iqn iqn.2010-04.org.ipxe:client1\n"
		"sanboot " TARGET,
		NULL,
		"the target (tgt)",
		"tgtadm --lld iscsi --mode target --op show\n"
		"tgtadm --lld iscsi --mode target --op bind --tid 1 \\\n"
		"  --initiator-name iqn.2010-04.org.ipxe:client1",
		"NBC-ISCSI-CHAP NBC-ROOTPATH-SYNTAX NBC-ISCSI-NOT-BOOTABLE",
		"lint does not report it: the target's configuration is not among the files lint "
		"reads. It checks the root path's syntax (NBC-ROOTPATH-SYNTAX).",
	},
	{
		"NBC-ISCSI-CHAP",
		"A target that requires CHAP refuses the login with status 0x0201 (authentication "
		"failure) when the initiator sends no credentials or the wrong ones, and the SAN "
		"boot stops. iPXE answers a CHAP challenge only when it has a user name and a "
		"secret (its username and password settings, or DHCP option 175 sub-options 190 "
		"and 191); mutual CHAP needs the reverse pair too.",
		"In the login's security stage: AuthMethod=CHAP offered and chosen, the target's "
		"CHAP_A, CHAP_I and CHAP_C, then the initiator's CHAP_N (the user name) and "
		"CHAP_R (its response), and the Login Response's status. netboot-check never "
		"prints CHAP_C, CHAP_R or secrets.",
		"iscsi.keyvalue contains \"CHAP\" || iscsi.keyvalue contains \"AuthMethod\"\n"
		"|| iscsi.login.status == 0x0201",
		"Give the initiator the user name and secret the target has for it: in iPXE the "
		"username and password settings, or option 175 sub-options 190 and 191 from DHCP "
		"(192 and 193 carry the target's own credentials for mutual CHAP). The Microsoft "
		"iSCSI initiator accepts only CHAP secrets of 12 to 16 characters; keep to that "
		"range when Windows boots from the disk.",
		"option space ipxe;\n"
		"option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
		"option ipxe.username code 190 = string;\n"
		"option ipxe.password code 191 = string;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  option ipxe.username \"iscsiuser\";\n"
		"  option ipxe.password \"examplesecret16\";\n"
		"}",
		"dhcp-option=encap:175,190,iscsiuser\n"
		"dhcp-option=encap:175,191,examplesecret16",
		"\"option-def\": [\n"
		"  { \"name\": \"ipxe-encap-opts\", \"code\": 175, \"type\": \"empty\",\n"
		"    \"encapsulate\": \"ipxe\" },\n"
		"  { \"name\": \"username\", \"space\": \"ipxe\", \"code\": 190,\n"
		"    \"type\": \"string\" },\n"
		"  { \"name\": \"password\", \"space\": \"ipxe\", \"code\": 191,\n"
		"    \"type\": \"string\" }\n"
		"],\n"
		"\"option-data\": [\n"
		"  { \"name\": \"ipxe-encap-opts\" },\n"
		"  { \"name\": \"username\", \"space\": \"ipxe\", \"data\": \"iscsiuser\" },\n"
		"  { \"name\": \"password\", \"space\": \"ipxe\",\n"
		"    \"data\": \"examplesecret16\" }\n"
		"]",
		"#!ipxe\n"
		"set username iscsiuser\n"
		"set password examplesecret16\n"
		"sanboot " TARGET,
		NULL,
		"the target (tgt)",
		"tgtadm --lld iscsi --op new --mode account --user iscsiuser \\\n"
		"  --password examplesecret16\n"
		"tgtadm --lld iscsi --op bind --mode account --tid 1 --user iscsiuser",
		"NBC-ISCSI-LOGIN",
		"lint does not report it: the target's accounts are not among the files lint "
		"reads.",
	},
	{
		"NBC-ISCSI-NOT-BOOTABLE",
		"A BIOS SAN boot reads LBA 0 and jumps into it only when bytes 510-511 are 55 AA; "
		"without them there is nothing to boot, iPXE reports that the boot failed and, "
		"without keep-san, detaches the disk. A boot that returns although the signature "
		"is there points at a boot loader that cannot find the rest of the system on this "
		"disk, or at a disk smaller than one cylinder of the 255x63 geometry iPXE assumes "
		"(7.8 MiB). On a blank disk meant for an installation this is expected (an info "
		"finding): the script should go on to the installer with keep-san set.",
		"The SCSI READ(10) or READ(16) of LBA 0 in an iSCSI SCSI Command PDU (opcode "
		"0x01), and its Data-In (0x25; Wireshark's scsi.request_frame points back at the "
		"READ), whose 512 bytes do not end in 55 AA; or, with "
		"the signature there, the initiator ending the session (Logout, opcode 0x06, or "
		"FIN/RST on port 3260) shortly after.",
		"scsi_sbc.rdwr10.lba == 0 || scsi_sbc.rdwr16.lba == 0\n"
		"|| (iscsi.opcode == 0x25 && scsi_sbc.opcode in {0x28, 0x88})\n"
		"|| iscsi.opcode == 0x06 || (tcp.port == 3260 && tcp.flags.fin == 1)",
		"Point the root path at the LUN that holds the installed system, or install onto "
		"this one first: start the installer with the SAN disk attached (sanhook, or a "
		"sanboot with keep-san, whose failure leaves the disk in place) and install to "
		"it.",
		NULL, NULL, NULL,
		"#!ipxe\n"
		"set keep-san 1\n"
		"sanboot " TARGET " || goto install\n"
		":install\n"
		"chain http://" SERVER "/winpe/boot.ipxe",
		NULL, NULL, NULL,
		"NBC-SAN-KEEP-LOST NBC-ISCSI-LOGIN NBC-ROOTPATH-SYNTAX",
		"lint does not report it: the disk's content is not in a configuration file.",
	},
	{
		"NBC-SAN-KEEP-LOST",
		"sanboot unregisters the SAN disk when the boot from it fails or returns: the "
		"iSCSI session is closed and the disk leaves the iBFT. An installer chained next "
		"(WinPE, Windows Setup) then finds no disk to install to. keep-san (set keep-san "
		"1, sanboot --keep, or DHCP option 175 sub-option 8) leaves the disk registered "
		"and the session open; sanhook attaches the disk without trying to boot it.",
		"After the sanboot's login and its read of LBA 0, the initiator sends an iSCSI "
		"Logout (opcode 0x06) or closes the TCP connection to port 3260 (FIN or RST) "
		"before the next stage begins (the HTTP request for the installer, a new DHCP or "
		"TFTP request). With keep-san the connection stays open while the next stage runs "
		"(NOP-In and NOP-Out may keep it alive).",
		"iscsi.opcode in {0x06, 0x26} || http.request\n"
		"|| (tcp.port == 3260 && (tcp.flags.fin == 1 || tcp.flags.reset == 1))",
		"Set keep-san before a sanboot that may fail and be followed by something else, or "
		"attach the disk with sanhook and boot the installer. From DHCP, option 175 "
		"sub-option 8 set to 1 does the same for every script.",
		"option space ipxe;\n"
		"option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
		"option ipxe.keep-san code 8 = unsigned integer 8;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  option ipxe.keep-san 1;\n"
		"}",
		"# 1b: one byte, as iPXE's keep-san is a number\n"
		"dhcp-option=encap:175,8,1b",
		"\"option-def\": [\n"
		"  { \"name\": \"ipxe-encap-opts\", \"code\": 175, \"type\": \"empty\",\n"
		"    \"encapsulate\": \"ipxe\" },\n"
		"  { \"name\": \"keep-san\", \"space\": \"ipxe\", \"code\": 8,\n"
		"    \"type\": \"uint8\" }\n"
		"],\n"
		"\"option-data\": [\n"
		"  { \"name\": \"ipxe-encap-opts\" },\n"
		"  { \"name\": \"keep-san\", \"space\": \"ipxe\", \"data\": \"1\" }\n"
		"]",
		"#!ipxe\n"
		"set keep-san 1\n"
		"sanboot " TARGET " ||\n"
		"chain http://" SERVER "/winpe/boot.ipxe",
		NULL, NULL, NULL,
		"NBC-ISCSI-NOT-BOOTABLE NBC-FLOW-STALLED",
		"lint reports it when a sanboot in an iPXE script runs without keep-san (no set "
		"keep-san 1 before it, no --keep) and its failure path goes on to another "
		"command: an error when that command is on the sanboot's own line (sanboot ... "
		"|| chain ...), a warning when the script gets there through goto. "
		"lint does not see DHCP's option 175.8; where that sets keep-san, suppress the "
		"finding on the line.",
	},
	{
		"NBC-FLOW-STALLED",
		"The client went quiet before any stage that ends a boot (a kernel fetched, a "
		"local boot, a SAN boot handed over) while the capture went on: something on the "
		"client failed without telling the network. Most often the NBP arrived but cannot "
		"drive the NIC: undionly.kpxe relies on the NIC ROM's UNDI driver and snponly.efi "
		"on the firmware's SNP, which are broken on some machines; or a script ended with "
		"exit; or no DHCP server answered at all.",
		"The client's last packets: an NBP download whose last block was acknowledged, "
		"and then silence from that MAC (no DHCP with option 77 iPXE); a script whose "
		"last command is exit; or DISCOVERs without an OFFER. Filter on the client's MAC "
		"(in place of 52:54:00:ab:cd:ef below) to see where it stopped.",
		"eth.addr == 52:54:00:ab:cd:ef && (dhcp || tftp || http || iscsi)",
		"Compare with a client that boots (netboot-check diff GOOD.pcap BAD.pcap) to find "
		"the step that differs, and watch the client's console. If iPXE went silent after "
		"its download, give it iPXE's own drivers instead of the firmware's: ipxe.pxe as "
		"the DHCP boot file (or ipxe.lkrn loaded from pxelinux) on BIOS, ipxe.efi on "
		"UEFI, in place of undionly.kpxe or snponly.efi.",
		"next-server " SERVER ";\n"
		"if exists user-class and option user-class = \"iPXE\" {\n"
		"  filename \"http://" SERVER "/boot.ipxe\";\n"
		"} else {\n"
		"  # iPXE with its own NIC drivers, not the ROM's UNDI\n"
		"  filename \"ipxe.pxe\";\n"
		"}",
		"dhcp-userclass=set:ipxe,iPXE\n"
		"dhcp-boot=tag:!ipxe,ipxe.pxe,," SERVER "\n"
		"dhcp-boot=tag:ipxe,http://" SERVER "/boot.ipxe",
		NULL, NULL,
		"DEFAULT ipxe\n"
		"LABEL ipxe\n"
		"  KERNEL ipxe.lkrn",
		NULL, NULL,
		"NBC-LOOP-USERCLASS NBC-TFTP-INCOMPLETE NBC-IPXE-SCRIPT NBC-LINK-DELAY",
		"lint does not report it: it is the absence of traffic (netboot-check analyze or "
		"live).",
	},
	{
		"NBC-CONFIG-SYNTAX",
		"A DHCP server refuses to start on a configuration it cannot parse (ISC dhcpd and "
		"Kea reject the file, dnsmasq exits on an unknown option), so no client boots; or "
		"it reads a line other than intended, such as an option value of the wrong type, "
		"and clients get something else than planned.",
		"Not visible as such: a server that did not start sends nothing, so DISCOVERs go "
		"unanswered (or only another server answers). A misread value shows in the "
		"option's bytes in the OFFER or ACK.",
		"dhcp.option.dhcp in {1, 2, 5}",
		"Fix the line lint names, and let the server check the file itself before every "
		"reload. Frequent causes: a missing semicolon or brace (dhcpd); an option used "
		"before its definition, or a definition inside a scope (dhcpd definitions belong "
		"at the top level); an unknown option name (dnsmasq --help lists them); a "
		"trailing comma or an unknown key (Kea), or a binary option value written "
		"f1:00:74:7e, which Kea 2.2 refuses unless csv-format is false (plain hex, "
		"F100747E, works either way).",
		"# definitions at the top level, before any use; every statement\n"
		"# ends with a semicolon\n"
		"option arch code 93 = unsigned integer 16;\n"
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  range 192.0.2.100 192.0.2.150;\n"
		"  if option arch = 00:07 or option arch = 00:09 {\n"
		"    filename \"ipxe.efi\";\n"
		"  }\n"
		"}",
		"# an address meant as text needs quotes, or it is sent as 4 bytes\n"
		"dhcp-option=66,\"" SERVER "\"",
		"\"option-def\": [\n"
		"  { \"name\": \"pxelinux-magic\", \"code\": 208, \"type\": \"binary\" }\n"
		"],\n"
		"\"option-data\": [\n"
		"  { \"name\": \"pxelinux-magic\", \"data\": \"F100747E\" }\n"
		"]",
		NULL, NULL,
		"check before a reload",
		CHECK_CMDS,
		"NBC-CONFIG-INCLUDE NBC-CONFIG-UNSUPPORTED",
		"Reported by lint only: an error where the server would refuse or misread the "
		"file, a warning where it only ignores a line.",
	},
	{
		"NBC-CONFIG-INCLUDE",
		"An include that cannot be read makes the server reject the whole configuration "
		"(dhcpd and dnsmasq do not start, Kea refuses it), and an include cycle does the "
		"same or never ends. Until it is fixed the server runs the old configuration, or "
		"none.",
		"Not visible as such: a server that did not start sends no OFFER.",
		"dhcp.option.dhcp in {1, 2}",
		"Make the included path exist. lint looks for a relative path next to the "
		"including file first; not every server resolves relative paths that way, so "
		"absolute paths are safest. Break cycles: no file may include itself through "
		"another. pxelinux resolves an INCLUDE name like any other file, relative to its "
		"prefix over TFTP or HTTP.",
		NULL, NULL, NULL, NULL, NULL,
		"check before a reload",
		CHECK_CMDS,
		"NBC-CONFIG-SYNTAX",
		"Reported by lint only: an include, conf-file, conf-dir, <?include?> or pxelinux "
		"INCLUDE that cannot be read, or includes that loop.",
	},
	{
		"NBC-CONFIG-UNSUPPORTED",
		"lint evaluates the configuration for five client profiles; where it meets a "
		"construct it cannot evaluate (an expression function, an encapsulation), what it "
		"says about the clients that construct decides for may be wrong either way: a "
		"real fault missed, or a false one reported. The server itself may be fine.",
		"Nothing wrong on the wire by itself. To see what the server really does with the "
		"construct, capture a boot and read the OFFER and ACK fields it decides (or let "
		"netboot-check analyze the capture).",
		"dhcp.option.dhcp in {2, 5}",
		"Nothing to change if the server accepts the line and a captured boot shows the "
		"intended answer: suppress the finding on that line with the comment "
		"netboot-check: disable=NBC-CONFIG-UNSUPPORTED (after # in dhcpd.conf and "
		"dnsmasq.conf, after // in Kea, on the line or the line before). Or rewrite the "
		"condition in a form lint evaluates (option comparisons, exists, substring).",
		"# netboot-check: disable=NBC-CONFIG-UNSUPPORTED\n"
		"if substring(binary-to-ascii(16, 8, \":\", hardware), 2, 7)\n"
		"    = \"52:54:0\" {\n"
		"  filename \"ipxe.efi\";\n"
		"}",
		NULL, NULL, NULL, NULL, NULL, NULL,
		"NBC-CONFIG-SYNTAX",
		"Reported by lint only, as a warning: its answer for the affected clients may be "
		"wrong.",
	},
	{
		"NBC-PXELINUX-NO-DEFAULT",
		"Without an automatic choice pxelinux waits at its boot: prompt (or menu) for "
		"someone to type a label, and an unattended machine never boots. A DEFAULT or "
		"ONTIMEOUT that names neither a LABEL nor a file fails when the time runs out, "
		"and a menu (UI menu.c32) without labels has nothing to offer.",
		"The client fetched its config (the last pxelinux.cfg/... read that succeeded, or "
		"the 209 file) and, if the config uses them, the menu's COM32 modules; then "
		"nothing more from that MAC: no kernel or initrd read, no local boot.",
		"tftp.source_file contains \"pxelinux.cfg/\"\n"
		"|| tftp.source_file contains \".c32\"\n"
		"|| http.request.uri contains \"pxelinux.cfg/\"",
		"Give the config an automatic choice: DEFAULT naming one of its LABELs, or a menu "
		"(UI menu.c32) with TIMEOUT (in tenths of a second) and ONTIMEOUT naming a label. "
		"Each LABEL needs something to run: KERNEL (or LINUX, COM32) or LOCALBOOT.",
		NULL, NULL, NULL, NULL,
		"UI menu.c32\n"
		"TIMEOUT 50\n"
		"ONTIMEOUT local\n"
		"DEFAULT local\n"
		"LABEL local\n"
		"  MENU LABEL Boot from the local disk\n"
		"  LOCALBOOT 0\n"
		"LABEL install\n"
		"  MENU LABEL Install\n"
		"  KERNEL vmlinuz\n"
		"  APPEND initrd=initrd.img",
		NULL, NULL,
		"NBC-PXELINUX-NO-CONFIG NBC-FLOW-STALLED",
		"Reported by lint only, for every pxelinux config it reads (files under "
		"pxelinux.cfg/, the 209 file, INCLUDEd files).",
	},
	{
		"NBC-PROBE-NO-ANSWER",
		"A machine that gets no DHCP answer never starts to boot: the PXE ROM retries for "
		"about a minute and gives up (\"No DHCP or proxyDHCP offers were received\"). The "
		"usual causes are a DHCP server that does not serve the segment (no relay), one "
		"that matches only some clients (a class or tag on option 60, 93 or 77 that this "
		"kind of client does not fit), or a switch port that is not forwarding yet.",
		"The probe's DISCOVERs (from 02:6e:62:63:70:NN, one xid per profile) and no "
		"OFFER with that xid within --wait seconds, or offers without an address and no "
		"proxyDHCP, or no reply from the server named with --server.",
		"dhcp.option.dhcp == 1 && eth.src[0:3] == 02:6e:62",
		"Make a server answer this kind of client: serve the segment (or relay to it with "
		"ip helper-address), give the class or tag a boot file for it, and check the "
		"switch port (PortFast on edge ports).",
		"subnet 192.0.2.0 netmask 255.255.255.0 {\n"
		"  range 192.0.2.100 192.0.2.150;\n"
		"  next-server 192.0.2.1;\n"
		"  filename \"undionly.kpxe\";\n"
		"}",
		"dhcp-range=192.0.2.100,192.0.2.150,1h\n"
		"dhcp-boot=undionly.kpxe,,192.0.2.1",
		"\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\",\n"
		"  \"pools\": [ { \"pool\": \"192.0.2.100 - 192.0.2.150\" } ],\n"
		"  \"next-server\": \"192.0.2.1\", \"boot-file-name\": \"undionly.kpxe\" } ]",
		NULL, NULL, NULL, NULL,
		"NBC-DHCP-NO-BOOTFILE NBC-LINK-DELAY NBC-DHCP-MULTI-SERVER",
		"Reported by probe only (netboot-check probe), for each profile that got no answer.",
	},
};

const struct explain_entry *explain_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct explain_entry *explain_find(const char *id)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].id, id) == 0)
			return &table[i];
	return NULL;
}

#define WIDTH 80

/* Prints text as paragraphs ("\n" separates them) wrapped at WIDTH, indented by two. */
static void put_prose(FILE *out, const char *text)
{
	const char *p = text;

	/* clang-tidy's analyzer cannot see the static table's strings and calls them garbage. */
	while (*p) { /* NOLINT(clang-analyzer-core.uninitialized.Branch) */
		const char *end = strchr(p, '\n');
		size_t col = 0;

		if (!end)
			end = p + strlen(p);
		while (p < end) {
			size_t len = 0;

			while (p < end && *p == ' ') /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
				p++;
			while (p + len < end && p[len] != ' ') /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
				len++;
			if (!len)
				break;
			if (col && col + 1 + len > WIDTH) {
				fputc('\n', out);
				col = 0;
			}
			if (!col) {
				fputs("  ", out);
				col = 2;
			} else {
				fputc(' ', out);
				col++;
			}
			fwrite(p, 1, len, out);
			col += len;
			p += len;
		}
		fputc('\n', out);
		if (*end) {
			fputc('\n', out);
			p = end + 1;
		} else {
			p = end;
		}
	}
}

/* A labelled block printed verbatim, indented by four: a snippet or a filter. */
static void put_block(FILE *out, const char *label, const char *code)
{
	const char *p = code;

	fprintf(out, "\n  %s:\n", label);
	while (*p) {
		size_t len = strcspn(p, "\n");

		fprintf(out, "    %.*s\n", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
}

static void put_section(FILE *out, const char *name)
{
	fprintf(out, "\n%s\n", name);
}

int explain_print(FILE *out, const char *id)
{
	size_t nrules;
	const struct rule *rules = rules_table(&nrules);
	const struct rule *r = NULL;
	const struct lint_rule *l = NULL;
	const struct explain_entry *e = explain_find(id);
	const char *summary;

	for (size_t i = 0; i < nrules; i++)
		if (strcmp(rules[i].id, id) == 0)
			r = &rules[i];
	if (!r)
		l = lint_rule_find(id);
	if (!r && !l)
		return -1;
	summary = r ? r->summary : l->summary;

	fprintf(out, "%s (%s%s%s)\n", id, nbc_sev_name(r ? r->sev : l->sev), r ? "" : ", ",
		r ? "" : strcmp(l->only, "probe") == 0 ? "probe only" : "lint only");
	put_section(out, "checks");
	{
		/* The summary is one sentence without its full stop; wrap it as prose. */
		char buf[512] = "";

		snprintf(buf, sizeof(buf), "%s.", summary);
		put_prose(out, buf);
	}
	if (!e) {
		/* Every rule has an entry (tests/golden/explain.sh); keep the hint reachable. */
		put_section(out, "fix");
		put_prose(out, r ? r->hint : l->hint);
		return 0;
	}
	put_section(out, "why it matters");
	put_prose(out, e->why);
	put_section(out, "on the wire");
	put_prose(out, e->wire);
	put_block(out, "display filter (tshark -r CAPTURE -Y '...')", e->wire_filter);
	put_section(out, "fix");
	put_prose(out, e->fix);
	if (e->fix_dhcpd)
		put_block(out, "dhcpd.conf", e->fix_dhcpd);
	if (e->fix_dnsmasq)
		put_block(out, "dnsmasq.conf", e->fix_dnsmasq);
	if (e->fix_kea)
		put_block(out, "Kea (members of \"Dhcp4\")", e->fix_kea);
	if (e->fix_ipxe)
		put_block(out, "iPXE script", e->fix_ipxe);
	if (e->fix_pxelinux)
		put_block(out, "pxelinux config", e->fix_pxelinux);
	if (e->fix_other)
		put_block(out, e->fix_other_label, e->fix_other);
	put_section(out, "see also");
	{
		char buf[512];
		size_t o = 0;
		const char *p = e->see_also;

		/* "A B C" becomes "A, B, C" for reading. */
		while (*p && o + 3 < sizeof(buf)) {
			if (*p == ' ') {
				buf[o++] = ',';
				buf[o++] = ' ';
			} else {
				buf[o++] = *p;
			}
			p++;
		}
		buf[o] = '\0';
		put_prose(out, buf);
	}
	put_section(out, "in lint");
	put_prose(out, e->lint);
	return 0;
}
