# bash completion for netboot-check: subcommands, their options and option values.
# Installed as share/bash-completion/completions/netboot-check (bash-completion loads it
# on first use); it also works on its own: source it and type netboot-check <Tab>.

# Rule IDs from the netboot-check being completed (analyze and lint rules alike).
_netboot_check_rules()
{
	local nbc=${COMP_WORDS[0]}

	command -v "$nbc" > /dev/null 2>&1 || nbc=netboot-check
	"$nbc" rules 2> /dev/null | while read -r id _; do
		case $id in NBC-*) printf '%s\n' "$id" ;; esac
	done
}

# COMPREPLY from a word list: words that start with $1.
_netboot_check_words()
{
	local cur=$1 w
	shift
	COMPREPLY=()
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

_netboot_check_files()
{
	local IFS=$'\n'
	compopt -o filenames 2> /dev/null
	COMPREPLY=($(compgen -f -- "$1"))
}

_netboot_check_dirs()
{
	local IFS=$'\n'
	compopt -o filenames 2> /dev/null
	COMPREPLY=($(compgen -d -- "$1"))
}

_netboot_check_ifaces()
{
	local d names=()
	for d in /sys/class/net/*; do
		[[ -e $d ]] && names+=("${d##*/}")
	done
	_netboot_check_words "$1" "${names[@]}"
}

_netboot_check()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i
	local cmds="analyze live diff lint gate probe decode rules explain help"
	local opts

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The subcommand: the first word after the program name.
	if ((COMP_CWORD == 1)); then
		if [[ $cur == -* ]]; then
			_netboot_check_words "$cur" --help --version
		else
			_netboot_check_words "$cur" $cmds
		fi
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	[[ $cmd == read ]] && cmd=analyze

	# --opt=VALUE: complete VALUE (COMP_WORDBREAKS splits "--color=al" into three words).
	local vopt= vcur=
	if [[ $cur == --*=* ]]; then
		vopt=${cur%%=*}
		vcur=${cur#*=}
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		vopt=${COMP_WORDS[COMP_CWORD - 2]}
		vcur=$cur
	elif [[ $cur == = ]] && ((COMP_CWORD >= 1)); then
		vopt=$prev
		vcur=
	fi
	if [[ -n $vopt ]]; then
		case $vopt in
		--color | --colour) _netboot_check_words "$vcur" auto always never ;;
		esac
		if [[ $cur == --*=* ]]; then
			local i2
			for i2 in "${!COMPREPLY[@]}"; do
				COMPREPLY[i2]="$vopt=${COMPREPLY[i2]}"
			done
		fi
		return 0
	fi

	# Values of the option before the cursor.
	case $cmd:$prev in
	*:--format)
		case $cmd in
		analyze) _netboot_check_words "$cur" text json junit sarif html ;;
		lint) _netboot_check_words "$cur" text gnu github json junit sarif ;;
		probe) _netboot_check_words "$cur" text json junit ;;
		diff) _netboot_check_words "$cur" text json html ;;
		*) _netboot_check_words "$cur" text json ;;
		esac
		return 0
		;;
	*:--fail-on) _netboot_check_words "$cur" error warning info; return 0 ;;
	*:--enable | *:--disable)
		_netboot_check_words "$cur" $(_netboot_check_rules)
		return 0
		;;
	*:--client | *:--good-client | *:--bad-client | *:--stall-timeout | *:--duration | \
		*:-c | *:--idle | *:--tcp-port | *:--timeout | *:--ready-timeout | *:--server-ip | \
		*:-f | *:--filter)
		return 0 # free-form values: nothing to offer
		;;
	live:-i | gate:--server-iface | probe:--iface) _netboot_check_ifaces "$cur"; return 0 ;;
	probe:--profile) _netboot_check_words "$cur" bios-pxe efi64-pxe arm64 ipxe-bios pxelinux; return 0 ;;
	probe:--server | probe:--wait | probe:--mac | probe:--uuid | probe:--ip | probe:--rate | \
		probe:--max-bytes | probe:--iscsi | probe:--chap-user | probe:--chap-secret)
		return 0
		;;
	*:--export | *:--keep | *:--tftp-root | *:--http-root) _netboot_check_dirs "$cur"; return 0 ;;
	*:-r | *:-o | *:-w | *:--expect | *:--site | *:--annotate | *:--baseline | \
		*:--write-baseline | *:--junit | *:--sarif | *:--firmware | diff:--gold | \
		probe:--chap-secret-file)
		_netboot_check_files "$cur"
		return 0
		;;
	gate:--server)
		local IFS=$'\n'
		COMPREPLY=($(compgen -c -- "$cur"))
		return 0
		;;
	gate:--profile | lint:--profile)
		local all base=
		if [[ $cmd == gate ]]; then all="bios efi64 ipxe"; else
			all="bios-pxe efi64-pxe efi64-pxe-9 ipxe-bios ipxe-efi64"
		fi
		# A comma-separated list: complete the last item.
		[[ $cur == *,* ]] && base=${cur%,*},
		_netboot_check_words "${cur##*,}" $all
		for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=$base${COMPREPLY[i]}; done
		return 0
		;;
	lint:--type) _netboot_check_words "$cur" isc-dhcpd dnsmasq kea pxelinux ipxe; return 0 ;;
	esac

	case $cmd in
	analyze)
		opts="-r -o --format --client --fail-on --expect --stall-timeout --enable --disable
		      --color= --export --show-secrets --annotate --help"
		;;
	live)
		opts="-i -f --filter --tcp-port --client --no-promisc -w --duration -c --until-booted
		      --idle --format --expect --stall-timeout --fail-on --enable --disable --color=
		      --help"
		;;
	diff) opts="--good-client --bad-client --gold --format -o --help" ;;
	lint)
		opts="--type --tftp-root --http-root --profile --format --fail-on --enable --disable
		      --baseline --write-baseline --color= -o --help"
		;;
	gate)
		opts="--server --site --expect --profile --timeout --ready-timeout --server-iface --server-ip
		      --firmware --keep --format --junit --sarif --fail-on --stall-timeout --enable
		      --disable --verbose --help"
		;;
	probe)
		opts="--iface --server --wait --request --profile --mac --uuid --ip --rate --timeout
		      --max-bytes --iscsi --chap-user --chap-secret-file --chap-secret --format --fail-on
		      -o --help"
		;;
	decode) opts="-r --help" ;;
	explain)
		if [[ $cur != -* ]]; then
			# One rule ID; typed in any case, offered as the catalogue spells them.
			_netboot_check_words "${cur^^}" $(_netboot_check_rules)
			return 0
		fi
		opts="--help"
		;;
	rules | help) opts="--help" ;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		_netboot_check_words "$cur" $opts
		# "--color=" waits for its value: no space after it.
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2> /dev/null
		return 0
	fi
	case $cmd in
	live) _netboot_check_ifaces "$cur" ;;
	analyze | decode | diff | lint) _netboot_check_files "$cur" ;;
	esac
	return 0
}

complete -F _netboot_check netboot-check
