#!/usr/bin/env bash
# GET /v1/model/{x} and /v1/model/desc/{x} resolve x as the broker's
# getModel does (0g-serving-broker api/fine-tuning/internal/ctrl/model.go):
# go-ethereum's HexToHash(x) first, with its leniency (an optional 0x or 0X,
# a '0' put before an odd-length rest, decoding up to the first pair with a
# non-hex character, the last 32 bytes kept, zeros on the left); only a
# zero hash is matched by name. So a name that begins with hex digits is
# found by its hash alone, and GET /v1/model is where names match.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start
code() { curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/model/$1"; }
name_of() { curl -s "$FT_URL/v1/model/$1" | jq -r .name; }

list=$(curl -s "$FT_URL/v1/model")
check_eq "GET /v1/model lists both customized models" "$(jq -r '.[].name' <<<"$list" | sort | tr '\n' ' ')" \
    "deadbeef-lora zg-tiny-lora "
tiny=$(jq -r '.[] | select(.name == "zg-tiny-lora") | .hash' <<<"$list")
dead=$(jq -r '.[] | select(.name == "deadbeef-lora") | .hash' <<<"$list")
check_eq "deadbeef-lora's hash is keccak256 of its name" "$dead" \
    "$(node -e 'const e=require("ethers");console.log(e.keccak256(e.toUtf8Bytes("deadbeef-lora")))')"

# A name whose leading characters are no hex pair is the zero hash: by name.
check_eq "zg-tiny-lora by name (\"zg\" is no hex pair)" "$(name_of zg-tiny-lora)" zg-tiny-lora
# A name that begins with hex digits is a hash: never found by name.
check_eq "deadbeef-lora by name -> 400 (read as the hash 0x..0deadbee)" "$(code deadbeef-lora)" 400
check_match "  ... Model deadbeef-lora not found" "$(curl -s "$FT_URL/v1/model/deadbeef-lora")" \
    'Model deadbeef-lora not found'
check_eq "its usage bundle by name -> 400 too" "$(code desc/deadbeef-lora)" 400
check_eq "deadbeef-lora by hash" "$(name_of "$dead")" deadbeef-lora
check_eq "its usage bundle by hash -> 200" "$(code "desc/$dead")" 200
check_match "  ... a zip" "$(curl -s "$FT_URL/v1/model/desc/$dead" | head -c 2)" '^PK$'

# The leniency, on zg-tiny-lora's hash 0x029e...5d42.
h=${tiny#0x}
check_eq "0X and upper-case digits" "$(name_of "0X${h^^}")" zg-tiny-lora
check_eq "no 0x prefix" "$(name_of "$h")" zg-tiny-lora
check_eq "the leading 0 dropped (63 digits, odd: a '0' goes in front)" "$(name_of "${h:1}")" zg-tiny-lora
check_eq "two more leading zeros (33 bytes: the last 32 kept)" "$(name_of "00$h")" zg-tiny-lora
check_eq "a byte in front (33 bytes: the first dropped)" "$(name_of "ff$h")" zg-tiny-lora
check_eq "an even-length tail from a non-hex pair on is ignored" "$(name_of "${h}zz-tails")" zg-tiny-lora
check_eq "an odd tail: '0' in front shifts every pair (\"0\"+hash+\"z\"), not found" \
    "$(code "${h}z")" 400
check_eq "the hash cut short is another hash: not found" "$(code "${h:0:60}")" 400
check_eq "\"0x\" alone is the zero hash: looked up by name, not found" "$(code 0x)" 400
check_eq "\"00\" is the zero hash too" "$(code 00)" 400
check_eq "\"0xdeadbeef-lora\": the prefix dropped, still a hash" "$(code 0xdeadbeef-lora)" 400

t_done
