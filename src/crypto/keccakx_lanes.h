/* One Keccak-256 per SIMD lane: the body of keccak.c's many-input hashers,
 * included once per vector width. The includer defines KX_NAME (the
 * function), KX_PERM (its permutation), KX_VT (a vector of KX_W uint64_t
 * lanes), KX_TARGET (the instruction set it is compiled for) and
 * KX_GATHER (a lane-indexed load). The round is keccak_round.h's with
 * every lane variable a vector: W states advance together. */

__attribute__((target(KX_TARGET))) static void KX_PERM(KX_VT s[25])
{
    KX_VT a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4];
    KX_VT a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9];
    KX_VT a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14];
    KX_VT a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19];
    KX_VT a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
    KX_VT e00, e10, e20, e30, e40, e01, e11, e21, e31, e41, e02, e12, e22, e32, e42, e03, e13, e23,
        e33, e43, e04, e14, e24, e34, e44;
    KX_VT b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND(a, e, round_consts[round]);
        KECCAK_ROUND(e, a, round_consts[round + 1]);
    }
    s[0] = a00, s[1] = a10, s[2] = a20, s[3] = a30, s[4] = a40;
    s[5] = a01, s[6] = a11, s[7] = a21, s[8] = a31, s[9] = a41;
    s[10] = a02, s[11] = a12, s[12] = a22, s[13] = a32, s[14] = a42;
    s[15] = a03, s[16] = a13, s[17] = a23, s[18] = a33, s[19] = a43;
    s[20] = a04, s[21] = a14, s[22] = a24, s[23] = a34, s[24] = a44;
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
