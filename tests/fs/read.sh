#!/usr/bin/env bash
# Reading the tree: README against the real tree, network, lock_time, log,
# wallet/, ledger/ and providers/ against the chain; lookups by address in
# any case; read-only files refuse writes; ls -l costs O(1) requests.
. "$(dirname "$0")/fslib.sh"

fs_start ttl=30
cd "$MNT" || exit 1

# ---- README is generated from the same table as the tree
readme=$(cat README)
check_match "README names the mount's wallet" "$readme" "wallet $USER_ADDR"
# Every path README lists exists (0xPROVIDER taken as the listed provider
# that offers fine-tuning, inference.json and adapters/ on the inference
# provider). Paths with a placeholder (NAME, TASK-ID, ...) stand for names
# that come and go, and tasks/latest needs a task: those are checked the
# other way round below.
missing=
while read -r p _; do
    case $p in
    providers/0xPROVIDER/inference.json | providers/0xPROVIDER/adapters/*) q=${p//0xPROVIDER/$INF} ;;
    *) q=${p//0xPROVIDER/$FT} ;;
    esac
    [[ $p =~ /[A-Z][A-Z-]+(/|\.|$)|/0xROOT$|/tasks/latest$ ]] && continue
    [[ -e $q ]] || missing+=" $p"
done < <(grep -E '^(README|network|lock_time|status|log|wallet|ledger|storage|providers)[^ ]* ' <<<"$readme")
check_eq "every path in README exists" "${missing:-none}" "none"
# ...and every file in the tree is in README, a placeholder (an upper-case
# word such as NAME or TASK-ID) matching any name.
patterns=$(grep -E '^(README|network|lock_time|status|log|wallet|ledger|storage|providers)[^ ]* ' <<<"$readme" |
    awk '{print $1}' | perl -pe 's/([.+?()\[\]{}|^\$])/\\$1/g; s{/(?!0xPROVIDER)[A-Z][A-Z-]+(?=/|\\\.|$)}{/[^/]+}g; s/^/^/; s/$/\$/')
extra=
while read -r f; do
    g=${f#./}
    g=${g//$FT/0xPROVIDER}
    g=${g//$INF/0xPROVIDER}
    [[ -d $f ]] && g+=/
    grep -qE -f <(printf '%s\n' "$patterns") <<<"$g" || extra+=" $g"
done < <(find . -mindepth 1 | sort)
check_eq "every file in the tree is in README" "${extra:-none}" "none"

# ---- top level
check_eq "network" "$(cat network)" "devnet chain=31337 rpc=$RPC"
check_eq "lock_time = the contract's lockTime" "$(cat lock_time)" "$(word "$(ecall "$FT_CA" 0x0d668087)" 0)"
check_match "log starts with the mount line" "$(head -1 log)" "mounted .* wallet $USER_ADDR"
check_eq "log's size is its content's length" "$(stat -c %s log)" "$(cat log | wc -c)"

# ---- wallet/
check_eq "wallet/address" "$(cat wallet/address)" "$USER_ADDR"
check_eq "wallet/balance = eth_getBalance" "$(neuron "$(cat wallet/balance)")" "$(chain_balance "$USER_ADDR")"

# ---- ledger/
read -r avail total <<<"$(chain_ledger "$USER_ADDR")"
check_eq "ledger/balance = available on chain" "$(neuron "$(cat ledger/balance)")" "$avail"
lj=$(cat ledger/ledger.json)
check_eq "ledger.json available" "$(jq -r .available <<<"$lj")" "$avail"
check_eq "ledger.json total" "$(jq -r .total <<<"$lj")" "$total"
check_eq "ledger.json locked = total - available" "$(jq -r .locked <<<"$lj")" "$(nsub "$total" "$avail")"
check_eq "ledger.json lists the fine-tuning sub-account" \
    "$(jq -r '.subAccounts[] | "\(.service) \(.provider) \(.balance) \(.acknowledged)"' <<<"$lj")" \
    "fine-tuning-v1.0 $FT $(chain_ft_account "$USER_ADDR" "$FT" | cut -d' ' -f1) true"
check_match "ledger/deposit before any write: a usage line" "$(cat ledger/deposit)" '^usage: write an amount'
check_match "ledger/refund before any write: a usage line" "$(cat ledger/refund)" '^usage: write an amount.*--delete-ledger'

# ---- providers/
check_eq "providers/ lists the acknowledged providers only" \
    "$(ls providers | sort)" "$(printf '%s\n' "$FT" "$INF" | sort)"
check_eq "an unlisted provider is reachable by its address" "$(ls "providers/$FT2" | tr '\n' ' ')" \
    "account.json attestation datasets fund models retrieve service.json tasks trust "
check_eq "lookup accepts lower case" "$(jq -r .provider "providers/${FT2,,}/service.json")" "$FT2"
up=0x$(tr 'a-f' 'A-F' <<<"${FT2#0x}")
check_eq "lookup accepts upper case" "$(jq -r .provider "providers/$up/service.json")" "$FT2"
check_eq "an unknown address is ENOENT" "$(open_err providers/0x1111111111111111111111111111111111111111/fund w)" ENOENT
bad=0x$(perl -pe 's/([A-Fa-f])/$1 =~ tr,a-fA-F,A-Fa-f,r/e' <<<"${FT#0x}")
check_eq "a wrong EIP-55 spelling is ENOENT" "$(open_err "providers/$bad/fund" r)" ENOENT
check_eq "a non-address name is ENOENT" "$(open_err providers/foo r)" ENOENT

s=$(cat "providers/$FT/service.json")
check_eq "service.json url" "$(jq -r .url <<<"$s")" "$(dj .providers.fineTuning.url)"
check_eq "service.json price" "$(jq -r .pricePerToken <<<"$s")" "$(dj .providers.fineTuning.pricePerToken)"
check_eq "service.json models" "$(jq -c .models <<<"$s")" "$(dj '.providers.fineTuning.models' | jq -c .)"
check_eq "service.json TEE signer" "$(jq -r .teeSignerAddress <<<"$s")" "$(dj .accounts.ftTeeSigner.address)"
check_eq "service.json acknowledged by the owner" "$(jq -r .teeSignerAcknowledged <<<"$s")" true
check_eq "service.json of the unlisted provider: not acknowledged" \
    "$(jq -r .teeSignerAcknowledged "providers/$FT2/service.json")" false
check_eq "no inference.json on a fine-tuning-only provider" "$(open_err "providers/$FT/inference.json" r)" ENOENT
i=$(cat "providers/$INF/inference.json")
check_eq "inference.json model" "$(jq -r .model <<<"$i")" "$(dj .providers.inference.model)"
check_eq "inference.json url" "$(jq -r .url <<<"$i")" "$(dj .providers.inference.url)"
check_eq "no service.json on an inference-only provider" "$(open_err "providers/$INF/service.json" r)" ENOENT

a=$(cat "providers/$FT/account.json")
read -r bal pend ack <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "account.json balance = chain" "$(jq -r .balance <<<"$a")" "$bal"
check_eq "account.json pendingRefund = chain" "$(jq -r .pendingRefund <<<"$a")" "$pend"
check_eq "account.json acknowledged = chain" "$(jq -r .acknowledged <<<"$a")" "$([[ $ack == 1 ]] && echo true || echo false)"
check_eq "account.json service" "$(jq -r .service <<<"$a")" fine-tuning-v1.0
check_eq "account.json without a sub-account: exists false" "$(jq -r .exists "providers/$FT2/account.json")" false
check_eq "inference provider's account.json is the inference sub-account" \
    "$(jq -r .service "providers/$INF/account.json")" inference-v1.0
check_eq "trust reads acknowledged" "$(cat "providers/$FT/trust")" acknowledged
check_eq "trust reads not acknowledged without a sub-account" "$(cat "providers/$FT2/trust")" "not acknowledged"
check_match "fund before any write: a usage line" "$(cat "providers/$FT/fund")" '^usage: write an amount'
check_match "retrieve before any write: a usage line" "$(cat "providers/$FT/retrieve")" '^usage: write "all"'

# ---- sizes are honest
for f in network lock_time status wallet/balance ledger/balance ledger/ledger.json "providers/$FT/service.json" "providers/$FT/account.json"; do
    check_eq "size of $f = its content's length" "$(stat -c %s "$f")" "$(cat "$f" | wc -c)"
done
check_eq "cat of README equals its size" "$(stat -c %s README)" "$(cat README | wc -c)"

# ---- read-only files refuse writes
for f in README network lock_time status log wallet/address wallet/balance ledger/balance ledger/ledger.json \
    "providers/$FT/service.json" "providers/$FT/account.json"; do
    check_eq "write to $f is EACCES" "$(wr "$f" 1)" EACCES
done
check_eq "creating a file is refused" "$( (echo 1 >ledger/newfile) 2>&1 | grep -c 'not permitted')" 1
check_eq "mkdir is refused" "$(mkdir providers/x 2>&1 >/dev/null | grep -c 'not permitted')" 1
check_eq "rm is refused" "$(rm -f ledger/deposit 2>&1 | grep -c 'not permitted')" 1
check_eq "chmod is refused" "$(chmod 777 ledger/deposit 2>&1 | grep -c 'not permitted')" 1

# ---- modes
check_eq "money files are 0660" "$(stat -c %a ledger/deposit ledger/refund "providers/$FT/fund" "providers/$FT/retrieve" "providers/$FT/trust" | sort -u)" 660
check_eq "records are 0444" "$(stat -c %a ledger/ledger.json wallet/balance | sort -u)" 444
check_eq "directories are 0555" "$(stat -c %a . ledger providers "providers/$FT" | sort -u)" 555

# ---- inode numbers are stable across remounts
ino1=$(stat -c %i "providers/$FT/fund")
cd /
fs_remount ttl=30 || not_ok "remount"
cd "$MNT" || exit 1
check_eq "inode numbers are stable across a remount" "$(stat -c %i "providers/$FT/fund")" "$ino1"

# ---- ls -l costs O(1) remote requests, however many providers there are
cd /
quiet_devnet
fs_remount all_providers,ttl=30 || not_ok "remount"
n0=$(anvil_requests)
ls -l "$MNT/providers" >/dev/null
n1=$(anvil_requests)
few=$((n1 - n0))
# Register 12 more fine-tuning providers, then list again on a fresh mount.
NODE_PATH=$ZG_NODE_MODULES node - "$RPC" "$FT_CA" <<'EOF' || not_ok "registering extra providers"
const { ethers } = require('ethers');
const [rpc, ft] = process.argv.slice(2);
(async () => {
  const p = new ethers.JsonRpcProvider(rpc, 31337, { staticNetwork: true });
  const abi = ['function addOrUpdateService(string url,(uint256,uint256,uint256,uint256,string) quota,uint256 pricePerToken,bool occupied,string[] models,address teeSignerAddress) payable'];
  for (let i = 0; i < 12; i++) {
    const w = ethers.Wallet.createRandom().connect(p);
    await p.send('anvil_setBalance', [w.address, '0x' + (1000n * 10n ** 18n).toString(16)]);
    const c = new ethers.Contract(ft, abi, w);
    const tx = await c.addOrUpdateService(`http://127.0.0.1:1/${i}`, [1, 1, 1, 1, 'x'], 1, false, [], w.address, { value: 100n * 10n ** 18n });
    await tx.wait();
  }
  p.destroy();
})().catch((e) => { console.error(e); process.exit(1); });
EOF
fs_remount all_providers,ttl=30 || not_ok "remount"
n0=$(anvil_requests)
ls -l "$MNT/providers" >/dev/null
n1=$(anvil_requests)
check_eq "ls -l providers/ costs as many requests with 15 providers as with 3 ($few)" "$((n1 - n0))" "$few"
check_eq "all_providers lists every registered provider" "$(ls "$MNT/providers" | wc -l)" 15
n0=$(anvil_requests)
ls -l "$MNT/providers/$FT" >/dev/null
n1=$(anvil_requests)
check "ls -l of a provider directory costs at most 4 requests (got $((n1 - n0)))" test $((n1 - n0)) -le 4
ls -l "$MNT/providers/$FT" "$MNT/ledger" "$MNT/providers" >/dev/null
n0=$(anvil_requests)
ls -l "$MNT/providers/$FT" "$MNT/ledger" "$MNT/providers" >/dev/null
cat "$MNT/providers/$FT/account.json" "$MNT/ledger/ledger.json" >/dev/null
n1=$(anvil_requests)
check_eq "within the ttl, repeated listings and reads cost nothing" "$((n1 - n0))" 0

t_done
