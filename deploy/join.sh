#!/bin/sh
# wg-enroll join: makes a WireGuard key pair on this node, enrolls it with the public key only,
# installs the config (0600, atomically), brings the tunnel up and pings the hub.
#
#   curl -fsS https://vpn.example.org/join.sh | sudo sh -s -- --key wgk_... --name sim-node-1
#   curl -fsS https://vpn.example.org/join.sh | sudo sh -s -- --login --network lab
#
# POSIX sh (runs under dash); needs curl and wireguard-tools. Run with --help for the options
# and the exit codes. The service serves this file as GET /join.sh with the line below filled in
# with its public URL, so that --server defaults to where the script came from.
JOIN_SERVER_DEFAULT=''

# Everything is in one function, called on the last line: sh reads the whole script before it
# runs any of it, so a download cut short runs nothing, and an early exit leaves curl no pipe to
# write into.
join_main() {
  set -u
  umask 077

  PROG='wg-enroll join'
  MARKER='# wg-enroll join:'
  PLACEHOLDER='PrivateKey = <the private key that belongs to the public key you sent>'

  usage() {
    cat <<'EOF'
Usage: join.sh [options]      (curl -fsS https://SERVER/join.sh | sudo sh -s -- [options])

Makes the key pair on this node (wg genkey), enrolls it (only the public key is sent), writes
DIR/INTERFACE.conf (mode 0600, atomically), brings it up and pings the hub over IPv4 and IPv6.

  --key KEY          enrollment key (wgk_...); or the environment variable WG_ENROLL_KEY
  --token TOKEN      API token instead of a key; or WG_ENROLL_TOKEN (needed for --reissue,
                     unless you --login)
  --login            sign in as yourself instead (needs --network, a self-service network):
                     prints a URL and a code to open on any browser; once you signed in there,
                     this node enrolls as your device (the OAuth device authorization grant,
                     through the service; the node holds a credential of minutes, never shown)
  --network NAME     network to join (default: the one the key belongs to)
  --name NAME        device name (default: the host name); letters, digits, . _ - (max 64)
  --interface IF     interface and file name (default: the name the service gives the file:
                     the device name in lower case, other characters as _, at most 15)
  --dir DIR          where the config goes (default: /etc/wireguard)
  --up               bring it up with wg-quick (default)
  --no-up            only install the config
  --systemd          systemctl enable --now wg-quick@INTERFACE instead of wg-quick up
  --nmcli            import it into NetworkManager (nmcli connection import) instead
  --server URL       the wg-enroll service (default: WG_ENROLL_SERVER, else where this script
                     came from)
  --reissue          replace the key pair of the peer this script installed here (new key made
                     here; the old key leaves the hub); needs --token of its owner or an admin,
                     or --login as its owner (then also when this machine lost its config: your
                     device of this name in the network is reissued)
  -h, --help         this text

Running it again on the same machine with the same name makes no second peer: an existing
config this script made here is reported, and the enrollment carries an Idempotency-Key derived
from a hash of /etc/machine-id and the name. A config made elsewhere is never reused. With
--login the service knows whose device it is: if you have a live device of this name in the
network and this machine has no config of it, nothing is enrolled (exit 10; --reissue replaces
its key here). --reissue --nmcli replaces the NetworkManager connection of that name.

Exit codes:
   0  joined, the hub answers (or: already joined, nothing changed; or --no-up: installed)
   1  unexpected failure
   2  usage: unknown option, bad value, no credential, no server
   3  a needed tool is missing (curl, wg, wg-quick, systemctl, nmcli)
   4  not root, or DIR is not writable
   5  the interface or DIR/INTERFACE.conf exists and was not made by this script on this machine
   6  the server cannot be reached or is not wg-enroll
   7  the key or token was refused (wrong, revoked, expired or spent)
   8  the network is unknown or has no registered hub
   9  the enrollment was refused (the message names the server's problem code)
  10  this machine already enrolled this name and its config was handed out (lost file):
      reissue it (--reissue with --token) or revoke it
  11  installed, but the tunnel did not come up or the hub does not answer
  12  --login is not possible: the server has no sign-in (OIDC_ISSUER), or its identity
      provider offers no device login (no device_authorization_endpoint)
  13  --reissue is not possible (no config of this script here, no --token, unknown peer)
  14  --login: the sign-in did not complete (denied at the provider, nobody signed in in
      time, or you are not allowed to use the service)
  15  --login: you have as many devices in this network as it allows (device-limit-reached):
      revoke one on the "my devices" page, or --reissue it
EOF
  }

  # The one last line: on stdout when it worked, on stderr when not.
  ok() {
    printf '%s: %s\n' "$PROG" "$1"
    exit 0
  }
  fail() {
    printf '%s: %s\n' "$PROG" "$2" >&2
    exit "$1"
  }

  # ------------------------------------------------------------------------------------------
  # Options

  KEY=${WG_ENROLL_KEY:-}
  TOKEN=${WG_ENROLL_TOKEN:-}
  NETWORK=''
  NAME=''
  IFACE=''
  DIR=/etc/wireguard
  MODE=wg-quick
  SERVER=${WG_ENROLL_SERVER:-$JOIN_SERVER_DEFAULT}
  REISSUE=no
  LOGIN=no

  need_value() {
    [ "$2" -ge 2 ] || fail 2 "$1 needs a value (--help for usage)"
  }

  while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
      --*=*)
        value=${opt#*=}
        opt=${opt%%=*}
        shift
        set -- "$opt" "$value" "$@"
        continue
        ;;
    esac
    case $opt in
      --key) need_value "$opt" $#; KEY=$2; shift ;;
      --token) need_value "$opt" $#; TOKEN=$2; shift ;;
      --network) need_value "$opt" $#; NETWORK=$2; shift ;;
      --name) need_value "$opt" $#; NAME=$2; shift ;;
      --interface) need_value "$opt" $#; IFACE=$2; shift ;;
      --dir) need_value "$opt" $#; DIR=$2; shift ;;
      --server) need_value "$opt" $#; SERVER=$2; shift ;;
      --up) MODE=wg-quick ;;
      --no-up) MODE=none ;;
      --systemd) MODE=systemd ;;
      --nmcli) MODE=nmcli ;;
      --reissue) REISSUE=yes ;;
      --login) LOGIN=yes ;;
      -h | --help) usage; exit 0 ;;
      *) fail 2 "unknown option $opt (--help for usage)" ;;
    esac
    shift
  done

  if [ "$LOGIN" = yes ]; then
    # The person's own credential comes from the sign-in; a key or token from the environment
    # does not count.
    KEY=''
    TOKEN=''
  elif [ -n "$KEY" ] && [ -n "$TOKEN" ]; then
    fail 2 'give --key or --token, not both'
  elif [ -z "$KEY" ] && [ -z "$TOKEN" ]; then
    fail 2 'give an enrollment key (--key), an API token (--token), or --login'
  fi
  CREDENTIAL=${KEY:-$TOKEN}
  case $CREDENTIAL in
    *[!A-Za-z0-9_-]*) fail 2 'the key or token has characters no wg-enroll credential has' ;;
  esac
  SERVER=${SERVER%/}
  case $SERVER in
    http://?* | https://?*) ;;
    '') fail 2 'give the service with --server https://...' ;;
    *) fail 2 "--server must be an http(s) URL, got: $SERVER" ;;
  esac
  case $NETWORK in
    *[!a-z0-9-]*) fail 2 "--network must be a network name (a-z, 0-9, -), got: $NETWORK" ;;
  esac
  if [ "$LOGIN" = yes ] && [ -z "$NETWORK" ]; then
    fail 2 '--login needs --network: the self-service network to join'
  fi

  if [ -z "$NAME" ]; then
    NAME=$(hostname 2>/dev/null || uname -n)
  fi
  case $NAME in
    '' | *[!A-Za-z0-9._-]*) fail 2 "--name must be 1 to 64 of letters, digits, . _ - (got: $NAME)" ;;
  esac
  [ ${#NAME} -le 64 ] || fail 2 '--name must be at most 64 characters'

  if [ -z "$IFACE" ]; then
    # The service's rule for the file name (lower case, runs of other characters as _, trimmed,
    # at most 15), applied here so that the checks below run before anything is enrolled.
    IFACE=$(printf '%s' "$NAME" | tr '[:upper:]' '[:lower:]' | tr -cs '[:lower:][:digit:]' '_' | sed 's/^_*//; s/_*$//' | cut -c1-15 | sed 's/_*$//')
    [ -n "$IFACE" ] || IFACE=wg
  fi
  case $IFACE in
    *[!A-Za-z0-9_=+.-]*) fail 2 "--interface must be 1 to 15 of letters, digits, _ = + . - (got: $IFACE)" ;;
  esac
  if [ ${#IFACE} -lt 1 ] || [ ${#IFACE} -gt 15 ]; then
    fail 2 '--interface must be 1 to 15 characters'
  fi

  # ------------------------------------------------------------------------------------------
  # This machine: tools, permissions, what is already here

  have() { command -v "$1" >/dev/null 2>&1; }
  for tool in curl wg; do
    have "$tool" || fail 3 "$tool is missing: install curl and wireguard-tools"
  done
  case $MODE in
    wg-quick) have wg-quick || fail 3 'wg-quick is missing: install wireguard-tools (or use --no-up)' ;;
    systemd) have systemctl || fail 3 'systemctl is missing: use --up or --no-up' ;;
    nmcli) have nmcli || fail 3 'nmcli is missing: install NetworkManager or use --up' ;;
  esac

  if [ "$MODE" != none ] && [ "$(id -u)" != 0 ]; then
    fail 4 'bringing up an interface needs root: run it with sudo (or use --no-up with a --dir you may write)'
  fi
  if [ ! -d "$DIR" ]; then
    mkdir -m 0700 "$DIR" 2>/dev/null || fail 4 "cannot create $DIR: run it with sudo"
  fi
  PROBE="$DIR/.wg-enroll-probe.$$"
  # In a subshell: a failed redirection of a special builtin ends a POSIX shell.
  if ! (: >"$PROBE") 2>/dev/null; then
    fail 4 "cannot write in $DIR: run it with sudo"
  fi
  rm -f "$PROBE"

  CONF="$DIR/$IFACE.conf"
  CLEANUP=''
  LOGIN_TOKEN=''
  # shellcheck disable=SC2317 # called by the EXIT trap
  cleanup() {
    # The token of minutes a --login got is revoked as this run ends, whatever the outcome
    # (best effort: it expires anyway). The credential goes to curl on its standard input.
    if [ -n "$LOGIN_TOKEN" ]; then
      printf 'header = "Authorization: Bearer %s"\n' "$LOGIN_TOKEN" |
        curl -sS --config - --max-time 10 -X DELETE -o /dev/null "$SERVER/v1/me/token" 2>/dev/null || true
    fi
    # Only the temporary files of this run; an installed config stays.
    for f in $CLEANUP; do
      rm -f "$f"
    done
  }
  trap cleanup EXIT
  trap 'exit 1' INT TERM HUP

  # A hash of the machine id, never the id itself: it names this machine in the marker and in
  # the Idempotency-Key.
  MACHINE_ID_FILE=${WG_ENROLL_MACHINE_ID_FILE:-}
  if [ -z "$MACHINE_ID_FILE" ]; then
    for f in /etc/machine-id /var/lib/dbus/machine-id; do
      if [ -s "$f" ]; then
        MACHINE_ID_FILE=$f
        break
      fi
    done
  fi
  MACHINE=''
  if [ -n "$MACHINE_ID_FILE" ] && [ -s "$MACHINE_ID_FILE" ] && have sha256sum; then
    MACHINE=$({ printf 'wg-enroll join machine\n'; cat "$MACHINE_ID_FILE"; } | sha256sum | cut -c1-32)
  fi

  interface_exists() {
    [ -e "/sys/class/net/$1" ] || [ -S "/var/run/wireguard/$1.sock" ] || [ -S "/run/wireguard/$1.sock" ]
  }

  # The marker line this script writes first in every config it makes, and its fields.
  marker_field() {
    sed -n "s/^$MARKER .*$1=\\([^ ]*\\).*/\\1/p" "$CONF" | head -n 1
  }
  file_private_key() {
    sed -n 's/^[[:space:]]*PrivateKey[[:space:]]*=[[:space:]]*//p' "$CONF" | head -n 1
  }

  EXISTING_PEER=''
  if [ -e "$CONF" ]; then
    if ! grep -q "^$MARKER " "$CONF" 2>/dev/null; then
      fail 5 "$CONF exists and was not made by this script: move it away or choose --interface"
    fi
    file_machine=$(marker_field machine)
    file_pub=$(marker_field publickey)
    EXISTING_PEER=$(marker_field peer)
    # Derived with wg pubkey through a pipe: the private key is never an argument.
    derived=$(file_private_key | wg pubkey 2>/dev/null || true)
    if [ -z "$MACHINE" ] || [ "$file_machine" != "$MACHINE" ]; then
      fail 5 "$CONF was made on another machine: this script never reuses it; move it away and join anew"
    fi
    if [ -z "$derived" ] || [ "$derived" != "$file_pub" ]; then
      fail 5 "$CONF does not hold the private key this script made for it: move it away and join anew"
    fi
  elif [ "$REISSUE" = yes ] && [ "$LOGIN" = no ]; then
    fail 13 "--reissue replaces a config this script installed, and $CONF does not exist: join first"
  fi
  if [ -z "$EXISTING_PEER" ] && interface_exists "$IFACE"; then
    fail 5 "an interface named $IFACE exists already: choose another with --interface"
  fi

  # ------------------------------------------------------------------------------------------
  # The service

  TMP_HEADERS=$(mktemp "$DIR/.$IFACE.headers.XXXXXX") || fail 4 "cannot write in $DIR"
  TMP_BODY=$(mktemp "$DIR/.$IFACE.body.XXXXXX") || fail 4 "cannot write in $DIR"
  TMP_ERR=$(mktemp "$DIR/.$IFACE.err.XXXXXX") || fail 4 "cannot write in $DIR"
  CLEANUP="$TMP_HEADERS $TMP_BODY $TMP_ERR"

  # api METHOD PATH JSON ACCEPT [CURL-ARGS...]: sets STATUS, the answer in TMP_BODY and
  # TMP_HEADERS. The credential goes to curl on its standard input (a config line), never in its
  # arguments, so no process listing shows it.
  api() {
    method=$1
    path=$2
    data=$3
    accept=$4
    shift 4
    if [ -n "$data" ]; then
      set -- "$@" --data-binary "$data" -H 'Content-Type: application/json'
    fi
    STATUS=$(if [ -n "$CREDENTIAL" ]; then printf 'header = "Authorization: Bearer %s"\n' "$CREDENTIAL"; fi |
      curl -sS --config - --max-time 60 -X "$method" -H "Accept: $accept" -o "$TMP_BODY" -D "$TMP_HEADERS" \
        -w '%{http_code}' "$@" "$SERVER$path" 2>"$TMP_ERR")
    if [ -z "$STATUS" ] || [ "$STATUS" = 000 ]; then
      fail 6 "cannot reach $SERVER: $(head -n 1 "$TMP_ERR")"
    fi
  }
  json_field() {
    sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$TMP_BODY" | head -n 1
  }
  json_number() {
    sed -n "s/.*\"$1\":\\([0-9][0-9]*\\).*/\\1/p" "$TMP_BODY" | head -n 1
  }
  header() {
    tr -d '\r' <"$TMP_HEADERS" | awk -v name="$1" '
      { i = index($0, ":") }
      i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v) }
      END { print v }'
  }
  problem() {
    code=$(json_field code)
    detail=$(json_field detail)
    printf '%s%s' "${code:-HTTP $STATUS}" "${detail:+: $detail}"
  }
  is_wg_enroll_problem() {
    header Content-Type | grep -qi 'application/problem+json' && [ -n "$(json_field code)" ]
  }

  # --login: the device authorization grant through the service. The person opens the URL on
  # any browser and enters the code; this node polls the service with a handle (a secret, sent
  # from a 0600 file, never an argument) until they did, and gets a personal token of minutes,
  # which stays in TOKEN, is never printed, and is revoked when the run ends (cleanup).
  device_login() {
    api POST /auth/device '' application/json
    case $STATUS in
      201) ;;
      404)
        case $(json_field code) in
          sign-in-not-configured) fail 12 "$SERVER has no sign-in (OIDC_ISSUER is not set): use --key or --token" ;;
          device-login-not-offered) fail 12 "the identity provider of $SERVER offers no device login: use --key or --token" ;;
        esac
        fail 6 "$SERVER is not a wg-enroll service with sign-in (POST /auth/device answered HTTP 404)"
        ;;
      *) is_wg_enroll_problem || fail 6 "$SERVER answered HTTP $STATUS, not as wg-enroll"
         fail 14 "the sign-in did not start ($(problem))" ;;
    esac
    handle=$(json_field handle)
    user_code=$(json_field userCode)
    uri=$(json_field verificationUri)
    uri_complete=$(json_field verificationUriComplete)
    interval=$(json_number interval)
    expires=$(json_number expiresIn)
    case $handle in
      wgd_*) ;;
      *) fail 6 "$SERVER did not answer POST /auth/device as wg-enroll" ;;
    esac
    case "$handle$user_code$uri$uri_complete" in
      *[!A-Za-z0-9_.:/?=\&%+~-]*) fail 6 "$SERVER sent a sign-in URL or code with characters no URL or code has" ;;
    esac
    case $uri in
      http://?* | https://?*) ;;
      *) fail 6 "$SERVER sent no sign-in URL" ;;
    esac
    [ -n "$user_code" ] || fail 6 "$SERVER sent no sign-in code"
    if [ -z "$interval" ] || [ "$interval" -lt 1 ]; then
      interval=5
    fi
    [ -n "$expires" ] || expires=600
    printf '%s: to sign in, open %s on any device and enter the code %s\n' "$PROG" "$uri" "$user_code" >&2
    if [ -n "$uri_complete" ]; then
      printf '%s: (or open %s)\n' "$PROG" "$uri_complete" >&2
    fi
    printf '%s: waiting up to %s minutes for the sign-in\n' "$PROG" $(((expires + 59) / 60)) >&2
    HANDLE_FILE=$(mktemp "$DIR/.$IFACE.handle.XXXXXX") || fail 4 "cannot write in $DIR"
    CLEANUP="$CLEANUP $HANDLE_FILE"
    printf '{"handle":"%s"}' "$handle" >"$HANDLE_FILE"
    handle=''
    waited=0
    while :; do
      [ "$waited" -lt "$expires" ] || fail 14 'nobody signed in in time: run it again'
      sleep "$interval"
      waited=$((waited + interval))
      api POST /auth/device/token "@$HANDLE_FILE" application/json
      case $STATUS:$(json_field code) in
        200:*) break ;;
        400:authorization-pending) ;;
        400:slow-down) interval=$((interval + 5)) ;;
        400:device-login-expired) fail 14 'nobody signed in in time: run it again' ;;
        403:device-login-denied) fail 14 'the sign-in was denied at the identity provider' ;;
        403:sign-in-refused) fail 14 "the service refused your account ($(problem))" ;;
        *) is_wg_enroll_problem || fail 6 "$SERVER answered HTTP $STATUS, not as wg-enroll"
           fail 14 "the sign-in did not complete ($(problem))" ;;
      esac
    done
    rm -f "$HANDLE_FILE"
    TOKEN=$(json_field token)
    case $TOKEN in
      wgt_*) ;;
      *) fail 6 "$SERVER answered the sign-in without a credential" ;;
    esac
    CREDENTIAL=$TOKEN
    LOGIN_TOKEN=$TOKEN
    : >"$TMP_BODY"
  }

  # --login and a config this script made here: report it, without making anyone sign in.
  if [ "$LOGIN" = yes ] && [ -n "$EXISTING_PEER" ] && [ "$REISSUE" = no ]; then
    ok "already joined as peer $EXISTING_PEER with $CONF; nothing changed (--login --reissue makes a new key)"
  fi
  if [ "$LOGIN" = yes ]; then
    device_login
  fi

  api GET /v1/whoami '' application/json
  case $STATUS in
    200)
      grep -q '"kind":"\(token\|enrollment-key\|user\)"' "$TMP_BODY" ||
        fail 6 "$SERVER is not a wg-enroll service (its /v1/whoami does not answer as one)"
      ;;
    401 | 403)
      is_wg_enroll_problem || fail 6 "$SERVER is not a wg-enroll service (HTTP $STATUS)"
      fail 7 "the server refused the key or token ($(problem)): ask for a new enrollment key"
      ;;
    *) fail 6 "$SERVER is not a wg-enroll service (GET /v1/whoami answered HTTP $STATUS)" ;;
  esac
  if [ -z "$NETWORK" ]; then
    NETWORK=$(json_field network)
    [ -n "$NETWORK" ] || fail 2 "this credential may use several networks: name one with --network"
  fi

  # An existing config this script made here: report it, change nothing (unless --reissue).
  if [ -n "$EXISTING_PEER" ] && [ "$REISSUE" = no ]; then
    if [ -n "$TOKEN" ]; then
      api GET "/v1/peers/$EXISTING_PEER" '' application/json
      if [ "$STATUS" = 200 ]; then
        grep -q "\"publicKey\":\"$file_pub\"" "$TMP_BODY" ||
          fail 5 "$CONF holds a key the server does not have for peer $EXISTING_PEER: move it away and join anew"
        state=$(json_field status)
        ok "already joined as peer $EXISTING_PEER ($state) with $CONF; nothing changed (--reissue makes a new key)"
      fi
      fail 5 "$CONF names peer $EXISTING_PEER, which the server does not show this token ($(problem))"
    fi
    ok "already joined as peer $EXISTING_PEER with $CONF; nothing changed (--reissue with --token makes a new key)"
  fi
  if [ "$REISSUE" = yes ] && [ -z "$TOKEN" ]; then
    fail 13 '--reissue needs --token (the owner of the peer or an admin) or --login: an enrollment key cannot reissue'
  fi
  # --login knows whose device this is: a live device of this name of this person in this
  # network, with no config of it here (a lost file, or another machine), is not enrolled twice.
  if [ "$LOGIN" = yes ] && [ -z "$EXISTING_PEER" ]; then
    api GET "/v1/networks/$NETWORK/peers?name=$NAME&limit=500" '' application/json
    case $STATUS in
      200) ;;
      404) fail 8 "the server has no network $NETWORK for you ($(problem))" ;;
      *) is_wg_enroll_problem || fail 6 "$SERVER answered HTTP $STATUS, not as wg-enroll"
         fail 9 "the server did not list your devices ($(problem))" ;;
    esac
    mine=$(tr '{' '\n' <"$TMP_BODY" | grep -F "\"name\":\"$NAME\"" | grep -E '"status":"(pending|active)"' |
      sed -n 's/^"id":"\([0-9a-fA-F-]*\)".*/\1/p' | head -n 1)
    if [ -n "$mine" ] && [ "$REISSUE" = no ]; then
      fail 10 "you have a device $NAME in $NETWORK already (peer $mine) and this machine has no config of it: --login --reissue replaces its key here, or revoke it on the \"my devices\" page"
    fi
    if [ "$REISSUE" = yes ]; then
      [ -n "$mine" ] || fail 13 "you have no live device $NAME in $NETWORK to reissue: join without --reissue"
      EXISTING_PEER=$mine
    fi
  fi

  # ------------------------------------------------------------------------------------------
  # The key pair: made here, the private key only ever in a 0600 file in DIR

  KEYFILE=$(mktemp "$DIR/.$IFACE.key.XXXXXX") || fail 4 "cannot write in $DIR"
  NEWCONF=$(mktemp "$DIR/.$IFACE.conf.XXXXXX") || fail 4 "cannot write in $DIR"
  CLEANUP="$CLEANUP $KEYFILE $NEWCONF"
  wg genkey >"$KEYFILE" || fail 1 'wg genkey failed'
  PUBLIC_KEY=$(wg pubkey <"$KEYFILE") || fail 1 'wg pubkey failed'
  BODY_JSON="{\"publicKey\":\"$PUBLIC_KEY\"}"

  if [ "$REISSUE" = yes ]; then
    api POST "/v1/peers/$EXISTING_PEER/reissue" "$BODY_JSON" text/plain
    PEER=$EXISTING_PEER
    case $STATUS in
      201) ;;
      401) fail 7 "the server refused the token ($(problem))" ;;
      403 | 404) fail 13 "the server has no peer $EXISTING_PEER for this token ($(problem))" ;;
      409) fail 13 "peer $EXISTING_PEER cannot be reissued ($(problem)): join anew" ;;
      *) is_wg_enroll_problem || fail 6 "$SERVER answered HTTP $STATUS, not as wg-enroll"
         fail 9 "the reissue was refused ($(problem))" ;;
    esac
  else
    BODY_JSON="{\"name\":\"$NAME\",\"publicKey\":\"$PUBLIC_KEY\"}"
    if [ -n "$MACHINE" ]; then
      IDEMPOTENCY=$(printf 'wg-enroll join\n%s\n%s\n%s\n' "$MACHINE" "$NETWORK" "$NAME" | sha256sum | cut -c1-64)
      set -- -H "Idempotency-Key: join-$IDEMPOTENCY"
    else
      set --
    fi
    # api's extra curl arguments (the Idempotency-Key) follow its four own.
    api POST "/v1/networks/$NETWORK/peers" "$BODY_JSON" text/plain "$@"
    case $STATUS in
      201) ;;
      401 | 403) fail 7 "the server refused the key or token ($(problem)): ask for a new enrollment key" ;;
      404) fail 8 "the server has no network $NETWORK for this credential ($(problem))" ;;
      409 | 422)
        case $(json_field code) in
          hub-not-registered) fail 8 "network $NETWORK has no registered hub yet: its hub agent must start first" ;;
          device-limit-reached)
            fail 15 "you have as many devices in $NETWORK as it allows ($(problem)): revoke one on the \"my devices\" page, or --reissue it" ;;
          idempotent-replay | idempotency-key-reused)
            fail 10 "this machine already enrolled $NAME in $NETWORK and its config was handed out once ($(problem)); reissue it with --reissue --token, or have it revoked" ;;
        esac
        fail 9 "the enrollment was refused ($(problem))"
        ;;
      *) is_wg_enroll_problem || fail 6 "$SERVER answered HTTP $STATUS, not as wg-enroll"
         fail 9 "the enrollment was refused ($(problem))" ;;
    esac
    PEER=$(header Location | sed -n 's|.*/v1/peers/\([0-9a-fA-F-]*\)$|\1|p')
  fi

  HUB_APPLIED=$(header Hub-Applied)
  if [ -z "$HUB_APPLIED" ] || [ -z "$PEER" ]; then
    fail 6 "$SERVER did not answer as wg-enroll (no Hub-Applied or Location header)"
  fi
  [ "$(grep -c -x -F "$PLACEHOLDER" "$TMP_BODY")" = 1 ] ||
    fail 6 "$SERVER sent a config without exactly one private-key placeholder"
  HUB_ADDRESSES=$(sed -n 's/^# The hub in the tunnel: \(.*\)\. Check the tunnel with: .*/\1/p' "$TMP_BODY" | tr -d ',')
  for address in $HUB_ADDRESSES; do
    case $address in
      *[!0-9A-Fa-f.:]* | -*) fail 6 "$SERVER named a hub address that is no IP address: $address" ;;
    esac
  done
  # wg-quick runs these lines as root; the service never writes them.
  if grep -qiE '^[[:space:]]*(PreUp|PostUp|PreDown|PostDown|SaveConfig)[[:space:]]*=' "$TMP_BODY"; then
    fail 6 "$SERVER sent a config with commands in it (PreUp/PostUp/PreDown/PostDown/SaveConfig): refused"
  fi

  # The config: the marker, then the server's text with the private key put in by the shell's
  # own read and printf (no command line ever holds the key).
  {
    printf '%s peer=%s machine=%s publickey=%s\n' "$MARKER" "$PEER" "$MACHINE" "$PUBLIC_KEY"
    IFS= read -r PRIVATE_KEY <"$KEYFILE"
    while IFS= read -r line || [ -n "$line" ]; do
      if [ "$line" = "$PLACEHOLDER" ]; then
        printf 'PrivateKey = %s\n' "$PRIVATE_KEY"
      else
        printf '%s\n' "$line"
      fi
    done <"$TMP_BODY"
    PRIVATE_KEY=''
  } >"$NEWCONF" || fail 1 "cannot write $NEWCONF"
  chmod 0600 "$NEWCONF"

  if [ "$REISSUE" = yes ] && interface_exists "$IFACE"; then
    case $MODE in
      wg-quick | systemd) wg-quick down "$CONF" >/dev/null 2>&1 || true ;;
    esac
  fi
  if [ "$REISSUE" = yes ] && [ "$MODE" = nmcli ]; then
    # The old connection (named after the file) goes, so the import below replaces it instead
    # of adding a second one with the old key. None there is fine.
    nmcli connection delete id "$IFACE" >/dev/null 2>&1 || true
  fi
  mv -f "$NEWCONF" "$CONF" || fail 1 "cannot move the config to $CONF"
  CLEANUP="$TMP_HEADERS $TMP_ERR $TMP_BODY $KEYFILE"
  rm -f "$KEYFILE"

  # ------------------------------------------------------------------------------------------
  # Up, and the hub answers

  case $MODE in
    none) ok "installed $CONF for peer $PEER in $NETWORK (not brought up: wg-quick up $CONF)" ;;
    wg-quick) out=$(wg-quick up "$CONF" 2>&1) || fail 11 "installed $CONF, but wg-quick up failed: $(printf '%s' "$out" | tail -n 1)" ;;
    systemd) out=$(systemctl enable --now "wg-quick@$IFACE" 2>&1) || fail 11 "installed $CONF, but systemctl enable --now wg-quick@$IFACE failed: $(printf '%s' "$out" | tail -n 1)" ;;
    nmcli) out=$(nmcli connection import type wireguard file "$CONF" 2>&1) || fail 11 "installed $CONF, but nmcli connection import failed: $(printf '%s' "$out" | tail -n 1)" ;;
  esac

  if ! have ping; then
    ok "joined $NETWORK as $NAME (peer $PEER), $IFACE is up; no ping here to check the hub at $HUB_ADDRESSES"
  fi
  answered=''
  silent=''
  for address in $HUB_ADDRESSES; do
    tries=0
    until ping -c 1 -W 1 "$address" >/dev/null 2>&1; do
      tries=$((tries + 1))
      if [ "$tries" -ge 10 ]; then
        silent="$silent $address"
        break
      fi
    done
    [ "$tries" -ge 10 ] || answered="$answered $address"
  done
  if [ -n "$silent" ] || [ -z "$answered" ]; then
    hint='check that UDP reaches the Endpoint in the config'
    [ "$HUB_APPLIED" = true ] || hint='the hub agent had not applied the peer yet; check that it runs'
    fail 11 "installed $CONF and $IFACE is up, but the hub does not answer at${silent:- $HUB_ADDRESSES}: $hint"
  fi
  ok "joined $NETWORK as $NAME (peer $PEER), $IFACE is up and the hub answers at$answered"
}

join_main "$@"
