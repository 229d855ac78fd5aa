/* One Keccak-256 per SIMD lane: the body of keccak.c's many-input hashers,
 * included once per vector width. The includer defines KX_NAME (the
 * function), KX_PERM (its permutation), KX_VT (a vector of KX_W uint64_t
 * lanes), KX_TARGET (the instruction set it is compiled for) and
 * KX_GATHER (a lane-indexed load). The round is keccak_round.h's with
 * every lane variable a vector: W states advance together. */

__attribute__((target(KX_TARGET))) static void KX_PERM(KX_VT s[25])
{
    KECCAK_PERMUTE(KX_VT, s, round_consts);
}

/* KX_W inputs of len bytes each, input i at in + i * stride. A block's
 * lanes are gathered by one vector load per lane index (the inputs share
 * their offsets); the digests are scattered by lane the same way. */
__attribute__((target(KX_TARGET))) static void KX_NAME(uint8_t (*out)[32], const uint8_t *in,
                                                       size_t len, size_t stride)
{
    KX_VT s[25];
    memset(s, 0, sizeof s);
    /* The last block of every input, padded: the inputs share a length, so
     * they end (and are padded) alike. */
    uint8_t tail[KX_W][RATE];
    long long at[KX_W], tail_at[KX_W];
    for (int i = 0; i < KX_W; i++) {
        at[i] = (long long)((size_t)i * stride);
        tail_at[i] = (long long)i * RATE;
    }
    size_t off = 0;
    for (;;) {
        const uint8_t *base = in + off;
        const long long *idx = at;
        bool last = len - off < RATE;
        if (last) {
            for (int i = 0; i < KX_W; i++) {
                memset(tail[i], 0, RATE);
                memcpy(tail[i], in + (size_t)i * stride + off, len - off);
                tail[i][len - off] ^= 0x01;
                tail[i][RATE - 1] ^= 0x80;
            }
            base = tail[0];
            idx = tail_at;
        }
        for (int k = 0; k < RATE / 8; k++)
            s[k] ^= KX_GATHER(base + 8 * k, idx);
        KX_PERM(s);
        if (last)
            break;
        off += RATE;
    }
    uint64_t d[4][KX_W];
    memcpy(d, s, sizeof d);
    for (int i = 0; i < KX_W; i++) {
        uint64_t w[4] = {d[0][i], d[1][i], d[2][i], d[3][i]};
        memcpy(out[i], w, 32); /* little-endian lanes, as the digest's bytes */
    }
}
