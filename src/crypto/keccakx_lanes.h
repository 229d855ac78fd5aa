/* One Keccak-256 per SIMD lane: the body of keccak.c's many-input hashers,
 * included once per vector width. The includer defines KX_NAME (the
 * function), KX_PERM (its permutation), KX_VT (a vector of KX_W uint64_t
 * lanes), KX_TARGET (the instruction set it is compiled for) and
 * KX_GATHER (a lane-indexed load). Every lane variable of the round is a
 * vector: W states advance together. */

#ifndef KX_ROUND
/* One round from state A into state E (the lanes A##xy, E##xy), output
 * plane by plane: each plane's five lanes after rho and pi (b0..b4) go
 * through chi at once, so only five of them are ever live, and each input
 * lane is dead after its one use. Two rounds per loop step, A to E and
 * back, so no state is copied. c, d: theta's columns. */
#define KX_ROTL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))
#define KX_ROUND(A, E, rc)                                                                         \
    do {                                                                                           \
        c0 = A##00 ^ A##01 ^ A##02 ^ A##03 ^ A##04;                                                \
        c1 = A##10 ^ A##11 ^ A##12 ^ A##13 ^ A##14;                                                \
        c2 = A##20 ^ A##21 ^ A##22 ^ A##23 ^ A##24;                                                \
        c3 = A##30 ^ A##31 ^ A##32 ^ A##33 ^ A##34;                                                \
        c4 = A##40 ^ A##41 ^ A##42 ^ A##43 ^ A##44;                                                \
        d0 = c4 ^ KX_ROTL(c1, 1);                                                                  \
        d1 = c0 ^ KX_ROTL(c2, 1);                                                                  \
        d2 = c1 ^ KX_ROTL(c3, 1);                                                                  \
        d3 = c2 ^ KX_ROTL(c4, 1);                                                                  \
        d4 = c3 ^ KX_ROTL(c0, 1);                                                                  \
        b0 = A##00 ^ d0;                                                                           \
        b1 = KX_ROTL(A##11 ^ d1, 44);                                                              \
        b2 = KX_ROTL(A##22 ^ d2, 43);                                                              \
        b3 = KX_ROTL(A##33 ^ d3, 21);                                                              \
        b4 = KX_ROTL(A##44 ^ d4, 14);                                                              \
        E##00 = b0 ^ (~b1 & b2) ^ (rc);                                                            \
        E##10 = b1 ^ (~b2 & b3);                                                                   \
        E##20 = b2 ^ (~b3 & b4);                                                                   \
        E##30 = b3 ^ (~b4 & b0);                                                                   \
        E##40 = b4 ^ (~b0 & b1);                                                                   \
        b0 = KX_ROTL(A##30 ^ d3, 28);                                                              \
        b1 = KX_ROTL(A##41 ^ d4, 20);                                                              \
        b2 = KX_ROTL(A##02 ^ d0, 3);                                                               \
        b3 = KX_ROTL(A##13 ^ d1, 45);                                                              \
        b4 = KX_ROTL(A##24 ^ d2, 61);                                                              \
        E##01 = b0 ^ (~b1 & b2);                                                                   \
        E##11 = b1 ^ (~b2 & b3);                                                                   \
        E##21 = b2 ^ (~b3 & b4);                                                                   \
        E##31 = b3 ^ (~b4 & b0);                                                                   \
        E##41 = b4 ^ (~b0 & b1);                                                                   \
        b0 = KX_ROTL(A##10 ^ d1, 1);                                                               \
        b1 = KX_ROTL(A##21 ^ d2, 6);                                                               \
        b2 = KX_ROTL(A##32 ^ d3, 25);                                                              \
        b3 = KX_ROTL(A##43 ^ d4, 8);                                                               \
        b4 = KX_ROTL(A##04 ^ d0, 18);                                                              \
        E##02 = b0 ^ (~b1 & b2);                                                                   \
        E##12 = b1 ^ (~b2 & b3);                                                                   \
        E##22 = b2 ^ (~b3 & b4);                                                                   \
        E##32 = b3 ^ (~b4 & b0);                                                                   \
        E##42 = b4 ^ (~b0 & b1);                                                                   \
        b0 = KX_ROTL(A##40 ^ d4, 27);                                                              \
        b1 = KX_ROTL(A##01 ^ d0, 36);                                                              \
        b2 = KX_ROTL(A##12 ^ d1, 10);                                                              \
        b3 = KX_ROTL(A##23 ^ d2, 15);                                                              \
        b4 = KX_ROTL(A##34 ^ d3, 56);                                                              \
        E##03 = b0 ^ (~b1 & b2);                                                                   \
        E##13 = b1 ^ (~b2 & b3);                                                                   \
        E##23 = b2 ^ (~b3 & b4);                                                                   \
        E##33 = b3 ^ (~b4 & b0);                                                                   \
        E##43 = b4 ^ (~b0 & b1);                                                                   \
        b0 = KX_ROTL(A##20 ^ d2, 62);                                                              \
        b1 = KX_ROTL(A##31 ^ d3, 55);                                                              \
        b2 = KX_ROTL(A##42 ^ d4, 39);                                                              \
        b3 = KX_ROTL(A##03 ^ d0, 41);                                                              \
        b4 = KX_ROTL(A##14 ^ d1, 2);                                                               \
        E##04 = b0 ^ (~b1 & b2);                                                                   \
        E##14 = b1 ^ (~b2 & b3);                                                                   \
        E##24 = b2 ^ (~b3 & b4);                                                                   \
        E##34 = b3 ^ (~b4 & b0);                                                                   \
        E##44 = b4 ^ (~b0 & b1);                                                                   \
    } while (0)
#endif

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
        KX_ROUND(a, e, round_consts[round]);
        KX_ROUND(e, a, round_consts[round + 1]);
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
