/* One Keccak-256 per SIMD lane: the body of keccakx.c's hashers, included
 * once per vector width. The includer defines KX_NAME (the function),
 * KX_VT (a vector of KX_W uint64_t lanes) and KX_TARGET (the instruction
 * set it is compiled for). The round is the scalar one of keccak.c with
 * every lane variable a vector: W states advance together. */

__attribute__((target(KX_TARGET))) static void KX_PERM(KX_VT s[25])
{
    KX_VT a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4];
    KX_VT a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9];
    KX_VT a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14];
    KX_VT a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19];
    KX_VT a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
    KX_VT b00, b10, b20, b30, b40, b01, b11, b21, b31, b41, b02, b12, b22, b32, b42, b03, b13, b23,
        b33, b43, b04, b14, b24, b34, b44;
    KX_VT c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    for (int round = 0; round < 24; round++) {
        c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
        c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
        c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
        c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
        c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
        d0 = c4 ^ KX_ROTL(c1, 1);
        d1 = c0 ^ KX_ROTL(c2, 1);
        d2 = c1 ^ KX_ROTL(c3, 1);
        d3 = c2 ^ KX_ROTL(c4, 1);
        d4 = c3 ^ KX_ROTL(c0, 1);
        b00 = a00 ^ d0;
        b02 = KX_ROTL(a10 ^ d1, 1);
        b04 = KX_ROTL(a20 ^ d2, 62);
        b01 = KX_ROTL(a30 ^ d3, 28);
        b03 = KX_ROTL(a40 ^ d4, 27);
        b13 = KX_ROTL(a01 ^ d0, 36);
        b10 = KX_ROTL(a11 ^ d1, 44);
        b12 = KX_ROTL(a21 ^ d2, 6);
        b14 = KX_ROTL(a31 ^ d3, 55);
        b11 = KX_ROTL(a41 ^ d4, 20);
        b21 = KX_ROTL(a02 ^ d0, 3);
        b23 = KX_ROTL(a12 ^ d1, 10);
        b20 = KX_ROTL(a22 ^ d2, 43);
        b22 = KX_ROTL(a32 ^ d3, 25);
        b24 = KX_ROTL(a42 ^ d4, 39);
        b34 = KX_ROTL(a03 ^ d0, 41);
        b31 = KX_ROTL(a13 ^ d1, 45);
        b33 = KX_ROTL(a23 ^ d2, 15);
        b30 = KX_ROTL(a33 ^ d3, 21);
        b32 = KX_ROTL(a43 ^ d4, 8);
        b42 = KX_ROTL(a04 ^ d0, 18);
        b44 = KX_ROTL(a14 ^ d1, 2);
        b41 = KX_ROTL(a24 ^ d2, 61);
        b43 = KX_ROTL(a34 ^ d3, 56);
        b40 = KX_ROTL(a44 ^ d4, 14);
        a00 = b00 ^ (~b10 & b20);
        a10 = b10 ^ (~b20 & b30);
        a20 = b20 ^ (~b30 & b40);
        a30 = b30 ^ (~b40 & b00);
        a40 = b40 ^ (~b00 & b10);
        a01 = b01 ^ (~b11 & b21);
        a11 = b11 ^ (~b21 & b31);
        a21 = b21 ^ (~b31 & b41);
        a31 = b31 ^ (~b41 & b01);
        a41 = b41 ^ (~b01 & b11);
        a02 = b02 ^ (~b12 & b22);
        a12 = b12 ^ (~b22 & b32);
        a22 = b22 ^ (~b32 & b42);
        a32 = b32 ^ (~b42 & b02);
        a42 = b42 ^ (~b02 & b12);
        a03 = b03 ^ (~b13 & b23);
        a13 = b13 ^ (~b23 & b33);
        a23 = b23 ^ (~b33 & b43);
        a33 = b33 ^ (~b43 & b03);
        a43 = b43 ^ (~b03 & b13);
        a04 = b04 ^ (~b14 & b24);
        a14 = b14 ^ (~b24 & b34);
        a24 = b24 ^ (~b34 & b44);
        a34 = b34 ^ (~b44 & b04);
        a44 = b44 ^ (~b04 & b14);
        a00 ^= round_consts[round];
    }
    s[0] = a00, s[1] = a10, s[2] = a20, s[3] = a30, s[4] = a40;
    s[5] = a01, s[6] = a11, s[7] = a21, s[8] = a31, s[9] = a41;
    s[10] = a02, s[11] = a12, s[12] = a22, s[13] = a32, s[14] = a42;
    s[15] = a03, s[16] = a13, s[17] = a23, s[18] = a33, s[19] = a43;
    s[20] = a04, s[21] = a14, s[22] = a24, s[23] = a34, s[24] = a44;
}

/* KX_W inputs of len bytes each, input i at in + i * stride. */
__attribute__((target(KX_TARGET))) static void KX_NAME(uint8_t (*out)[32], const uint8_t *in,
                                                       size_t len, size_t stride)
{
    KX_VT s[25];
    memset(s, 0, sizeof s);
    /* The last block of every input, padded: the inputs share a length, so
     * they end (and are padded) alike. */
    uint8_t tail[KX_W][RATE];
    size_t off = 0;
    for (;;) {
        const uint8_t *p[KX_W];
        bool last = len - off < RATE;
        for (int i = 0; i < KX_W; i++) {
            p[i] = in + (size_t)i * stride + off;
            if (last) {
                memset(tail[i], 0, RATE);
                memcpy(tail[i], p[i], len - off);
                tail[i][len - off] ^= 0x01;
                tail[i][RATE - 1] ^= 0x80;
                p[i] = tail[i];
            }
        }
        for (int k = 0; k < RATE / 8; k++)
            for (int i = 0; i < KX_W; i++)
                s[k][i] ^= load_le(p[i] + 8 * k);
        KX_PERM(s);
        if (last)
            break;
        off += RATE;
    }
    for (int i = 0; i < KX_W; i++)
        for (int b = 0; b < 32; b++)
            out[i][b] = (uint8_t)(s[b / 8][i] >> (8 * (b % 8)));
}
