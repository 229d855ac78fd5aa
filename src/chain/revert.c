#include "zg/revert.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "zg/keccak.h"
#include "zg/secp.h"
#include "zg/u256.h"

/* One row per custom error of the contracts zgfs and the devnet talk to:
 * every error in the ABIs the pinned SDKs ship (LedgerManager,
 * FineTuningServing, InferenceServing; 0G Storage's FixedPriceFlow and
 * FixedPrice), and a few the upstream sources (0gfoundation/0g-serving-contract)
 * declare since. `sig` is the declared signature: its types drive the
 * decoding. In `say`, %a is the next argument as an address, %o as an OG
 * amount, %u as a decimal number, %s as a string. tests/unit/chain/test_revert.c
 * checks this table against the shipped ABIs. */
struct revert_row {
    const char *sig;
    int code;
    const char *say;
};

static const struct revert_row rows[] = {
    /* LedgerManager */
    {"LedgerNotExists(address)", ENOENT,
     "no ledger exists for %a; write an amount to ledger/deposit to create one"},
    {"LedgerExists(address)", EEXIST, "a ledger already exists for %a; use ledger/deposit"},
    {"InsufficientBalance(address)", EDQUOT,
     "the ledger of %a has less available than that; read ledger/balance"},
    {"InsufficientAvailableBalance(uint256,uint256)", EDQUOT,
     "the ledger has %o OG available but %o OG are needed; write an amount to ledger/deposit"},
    {"MinimumDepositRequired(uint256,uint256)", EINVAL,
     "%o OG is below the minimum of %o OG (for a new ledger, a first transfer to a provider, "
     "or what a withdrawal leaves unless it takes all)"},
    {"AdditionalInfoTooLong(uint256,uint256)", EINVAL,
     "additional info of %u bytes is longer than %u; shorten it"},
    {"ZeroAmountNotAllowed()", EINVAL, "the amount must be greater than zero"},
    {"ZeroAddressNotAllowed()", EINVAL, "the zero address is not allowed"},
    {"ServiceNotFound(address)", ENOENT,
     "the ledger has no service registered under that name; check that the mounted network "
     "matches its contracts"},
    {"TooManyProviders(uint256,uint256)", EINVAL,
     "%u providers in one call, at most %u; split the request"},
    {"TooManyProvidersForService(uint256,uint256)", EDQUOT,
     "this wallet already has %u of at most %u providers for this service; fund one of them "
     "instead"},
    {"CallFailed()", EINVAL,
     "the serving contract refused the transfer (the ledger hides its reason); check that the "
     "address is a registered provider and not this wallet"},
    {"TransferFailed()", EIO,
     "the native token transfer failed (the receiving address refused it); nothing changed, "
     "try again"},
    {"MustWithdrawAllFundsFirst(uint256)", EBUSY,
     "the ledger still holds %o OG; withdraw everything first"},
    {"LedgerLocked()", EAGAIN, "the ledger is busy with another operation; try again"},
    {"DirectDepositsDisabled()", EINVAL, "plain transfers are refused; use ledger/deposit"},
    {"NoRecommendedService(string)", ENOENT,
     "no recommended %s service is registered; the ledger's owner has not chosen one"},
    {"CallerNotRegisteredService(address)", EPERM,
     "%a is not a serving contract registered in the ledger; only those may spend its funds"},
    {"InvalidServiceAddress(address)", EINVAL, "%a cannot be registered as a service"},
    {"InvalidServiceType(string)", EINVAL,
     "\"%s\" is not a service type of this ledger; use inference or fine-tuning"},
    {"ServiceNotRegistered(address)", ENOENT,
     "%a is not a service registered in the ledger; check that the mounted network matches its "
     "contracts"},
    {"ServiceAlreadyRegistered(address)", EEXIST, "%a is already registered as a service"},
    {"ServiceMustImplementIServing(address)", EINVAL,
     "%a is not a serving contract (it does not implement IServing)"},
    {"ServiceRegistryLimitReached(uint256)", ENOSPC,
     "the ledger already holds the most services it can (%u); remove one first"},
    {"ServiceTypeRequired()", EINVAL, "a service needs a type; name one"},
    {"VersionRequired()", EINVAL, "a service needs a version; name one"},
    /* FineTuningServing and InferenceServing */
    {"AccountNotExists(address,address)", ENOENT,
     "%a has no sub-account with provider %a; write an amount to its fund file first"},
    {"AccountExists(address,address)", EEXIST,
     "%a already has a sub-account with %a; fund it through its fund file"},
    {"ServiceNotExist(address)", ENOENT, "%a is not a registered provider of this service"},
    {"CannotRevokeWithNonZeroBalance(address,address,uint256)", EBUSY,
     "the sub-account of %a with %a still holds %o OG; retrieve the funds before revoking"},
    {"DeliverableNotExists(string)", ENOENT,
     "no deliverable %s exists on chain (not delivered yet, evicted, or a wrong id)"},
    {"CannotAcknowledgeSettledDeliverable(string)", EPERM,
     "deliverable %s was already settled by the provider and can no longer be acknowledged"},
    {"PreviousDeliverableNotAcknowledged(string)", EAGAIN,
     "the previous deliverable %s is not acknowledged; acknowledge it first"},
    {"DeliverableAlreadyExists(string)", EEXIST,
     "deliverable %s already exists; a new one needs a new id"},
    {"DeliverableIdInvalidLength(uint256)", EINVAL,
     "a deliverable id of %u bytes is invalid; it must have 1 to 256 bytes"},
    {"CannotEvictUnsettledDeliverable(string)", EAGAIN,
     "the oldest deliverable %s is unsettled and cannot be evicted; wait until it is settled"},
    {"DeliverableAlreadySettled(string)", EALREADY,
     "deliverable %s is already settled; nothing is left to do"},
    {"CannotAbandonSettledDeliverable(string)", EALREADY,
     "deliverable %s is already settled; nothing is left to do"},
    {"InvalidVerifierInput(string)", EINVAL, "settlement refused: %s"},
    {"SecretShouldNotBeEmpty()", EINVAL, "settlement of an acknowledged deliverable needs a key"},
    {"SecretShouldBeEmpty()", EINVAL, "settlement of an unacknowledged deliverable carries a key"},
    {"TooManyRefunds(address,address)", EAGAIN,
     "5 refunds of %a with %a are already pending; wait for the lock time, then retrieve again"},
    {"AdditionalInfoTooLong()", EINVAL,
     "the additional info is longer than the contract allows (4096 bytes); shorten it"},
    {"LimitTooLarge(uint256)", EINVAL, "page size %u is too large; ask for at most 50"},
    {"LimitTooLarge(uint256,uint256)", EINVAL, "page size %u is larger than %u; ask for fewer"},
    {"BatchSizeTooLarge(uint256,uint256)", EINVAL,
     "batch of %u is larger than %u; ask for fewer at a time"},
    {"CallerNotLedger()", EPERM, "only the ledger may call this; go through the ledger"},
    {"CallerNotLedger(address)", EPERM,
     "only the ledger may call this, not %a; go through the ledger"},
    {"InsufficientStake(uint256,uint256)", EDQUOT,
     "stake of %o OG is below the %o OG required; send at least that to register"},
    {"CannotAddStakeWhenUpdating()", EINVAL,
     "an update of a registered service must not send stake; send none"},
    {"ETHTransferFailed()", EIO,
     "the payout transfer failed (the receiving address refused it); nothing changed, try "
     "again"},
    {"TransferToLedgerFailed()", EIO,
     "the refund transfer to the ledger failed; nothing changed, try again"},
    {"ProviderCannotBeUser()", EINVAL, "a provider cannot be its own user; use a different wallet"},
    {"InvalidAddress(address)", EINVAL,
     "%a is not a valid user or provider address; name a non-zero one"},
    {"InvalidLedgerAddress()", EINVAL, "the ledger address is not a contract; give the ledger's"},
    {"InvalidTEESignature(string)", EINVAL, "TEE signature refused: %s"},
    {"NoSettlementsProvided()", EINVAL, "a settlement batch needs at least one settlement"},
    {"TooManySettlements(uint256,uint256)", EINVAL,
     "%u settlements in one call, at most %u; split the batch"},
    {"AlreadyInitialized()", EALREADY, "the contract is already initialized"},
    {"ServiceNameExists(string)", EEXIST,
     "service name %s is already registered; choose another version"},
    {"PenaltyPercentageTooHigh(uint256)", EINVAL,
     "penalty %u%% is too high; it must be at most 100%%"},
    {"LockTimeOutOfRange(uint256)", EINVAL,
     "lock time %u is out of range; choose 3600 to 604800 seconds (1 hour to 7 days)"},
    {"LockTimeOutOfRange(uint256,uint256,uint256)", EINVAL,
     "lock time %u is outside %u to %u seconds; choose one in range"},
    /* 0G Storage: FixedPriceFlow and its FixedPrice market */
    {"NotEnoughFee(uint256,uint256,uint256)", EAGAIN,
     "0G Storage charges %o OG per sector for %u sectors, more than the %o OG paid; the price "
     "may have changed: try again"},
    {"InvalidSubmission()", EINVAL,
     "0G Storage refused the submission as malformed; recompute the file's Merkle tree"},
    {"EnforcedPause()", EAGAIN, "the contract is paused by its operators; try again later"},
    {"ExpectedPause()", EINVAL, "the contract is not paused; nothing to resume"},
    {"InvalidInitialization()", EALREADY, "the contract is already initialized"},
    {"NotInitializing()", EINVAL, "the contract is not initializing; this call is for setup"},
    {"AccessControlUnauthorizedAccount(address,bytes32)", EPERM,
     "%a lacks the role this needs; ask the contract's admin"},
    {"AccessControlBadConfirmation()", EINVAL,
     "a role can only be renounced by the account that holds it"},
};

bool zg_revert_row_at(size_t i, zg_revert_row_info *out)
{
    if (i >= sizeof rows / sizeof rows[0])
        return false;
    out->signature = rows[i].sig;
    out->code = rows[i].code;
    out->say = rows[i].say;
    return true;
}

uint32_t zg_error_selector(const char *signature)
{
    uint8_t h[32];
    zg_keccak256(h, signature, strlen(signature));
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

uint32_t zg_revert_selector(const uint8_t *data, size_t len)
{
    if (len < 4)
        return 0;
    return (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
}

/* Read the i-th head word of the arguments; false when out of range. */
static bool word(const uint8_t *args, size_t alen, size_t i, const uint8_t **w)
{
    if (alen < 32 || i > alen / 32 - 1)
        return false;
    *w = args + 32 * i;
    return true;
}

static bool word_to_size(const uint8_t *w, size_t *out)
{
    for (int i = 0; i < 24; i++)
        if (w[i])
            return false;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | w[i];
    *out = (size_t)v;
    return v <= SIZE_MAX;
}

/* Render one argument of the given ABI type as text for the sentence. */
static void render_arg(char *out, size_t cap, const char *type, char fmt, const uint8_t *args,
                       size_t alen, size_t i)
{
    const uint8_t *w;
    snprintf(out, cap, "?");
    if (!word(args, alen, i, &w))
        return;
    if (strcmp(type, "address") == 0) {
        zg_addr_checksum(out, w + 12);
    } else if (strcmp(type, "string") == 0) {
        size_t off, n;
        if (!word_to_size(w, &off) || off > alen || alen - off < 32 ||
            !word_to_size(args + off, &n) || n > alen - off - 32)
            return;
        size_t m = n < cap - 1 ? n : cap - 1;
        for (size_t k = 0; k < m; k++) {
            uint8_t c = args[off + 32 + k];
            out[k] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        out[m] = 0;
    } else {
        zg_u256 v;
        zg_u256_from_be(&v, w);
        if (fmt == 'o') {
            char s[ZG_U256_DEC_MAX + 2];
            zg_amount_format(s, &v);
            snprintf(out, cap, "%s", s);
        } else {
            char s[ZG_U256_DEC_MAX];
            zg_u256_to_dec(s, &v);
            snprintf(out, cap, "%s", s);
        }
    }
}

/* Split "Name(t1,t2)" into its argument types (flat: these errors use no tuples). */
static size_t arg_types(const char *sig, char types[][16], size_t max)
{
    const char *p = strchr(sig, '(');
    size_t n = 0;
    if (!p || p[1] == ')')
        return 0;
    p++;
    while (*p && *p != ')' && n < max) {
        size_t k = 0;
        while (*p && *p != ',' && *p != ')' && k < 15)
            types[n][k++] = *p++;
        types[n++][k] = 0;
        if (*p == ',')
            p++;
    }
    return n;
}

static const char *panic_reason(uint64_t code)
{
    switch (code) {
    case 0x01:
        return "assertion failed";
    case 0x11:
        return "arithmetic overflow or underflow";
    case 0x12:
        return "division by zero";
    case 0x21:
        return "invalid enum value";
    case 0x32:
        return "array index out of bounds";
    case 0x41:
        return "out of memory";
    default:
        return "internal error";
    }
}

int zg_revert_string_errno(const char *reason)
{
    /* The contracts' only Error(string) refusals on an account come from
     * OpenZeppelin 4's Ownable (contracts/access/Ownable.sol _checkOwner:
     * "Ownable: caller is not the owner"), which 0g-serving-contract's
     * FineTuningServing inherits; every other reason is about the input. */
    return reason && strstr(reason, "owner") ? EPERM : EINVAL;
}

int zg_revert_describe(zg_err *err, const char *what, const uint8_t *data, size_t len)
{
    if (len < 4)
        return zg_err_set(err, EINVAL, "%s: the contract refused without giving a reason", what);
    uint32_t sel = zg_revert_selector(data, len);
    const uint8_t *args = data + 4;
    size_t alen = len - 4;

    if (sel == zg_error_selector("Error(string)")) {
        char s[160];
        render_arg(s, sizeof s, "string", 's', args, alen, 0);
        return zg_err_set(err, zg_revert_string_errno(s), "%s: %s", what, s);
    }
    if (sel == zg_error_selector("Panic(uint256)")) {
        const uint8_t *w;
        size_t code = 0;
        if (word(args, alen, 0, &w))
            word_to_size(w, &code);
        return zg_err_set(err, EIO, "%s: the contract failed (%s, panic 0x%zx)", what,
                          panic_reason(code), code);
    }
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (zg_error_selector(rows[r].sig) != sel)
            continue;
        char types[4][16];
        size_t nt = arg_types(rows[r].sig, types, 4);
        char msg[ZG_ERR_MSG_MAX];
        size_t o = 0, ai = 0;
        for (const char *p = rows[r].say; *p && o < sizeof msg - 1; p++) {
            if (*p == '%' && (p[1] == 'a' || p[1] == 'o' || p[1] == 'u' || p[1] == 's')) {
                char a[120];
                if (ai < nt)
                    render_arg(a, sizeof a, types[ai], p[1], args, alen, ai);
                else
                    snprintf(a, sizeof a, "?");
                ai++;
                size_t al = strlen(a);
                if (al > sizeof msg - 1 - o)
                    al = sizeof msg - 1 - o;
                memcpy(msg + o, a, al);
                o += al;
                p++;
            } else if (*p == '%' && p[1] == '%') {
                msg[o++] = '%';
                p++;
            } else {
                msg[o++] = *p;
            }
        }
        msg[o] = 0;
        return zg_err_set(err, rows[r].code, "%s: %s", what, msg);
    }
    return zg_err_set(err, EINVAL, "%s: the contract refused (error selector 0x%08x)", what, sel);
}
