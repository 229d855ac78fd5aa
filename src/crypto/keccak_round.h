/* One round of Keccak-f[1600] from state A into state E, for keccak.c's
 * permutations: the scalar one and one per SIMD width. The lanes are the
 * variables A##xy and E##xy (lane (x, y)), of one type: uint64_t, or a
 * vector of uint64_t (several states advance together), as are b0..b4
 * (a plane after rho and pi), c0..c4 and d0..d4 (theta's columns);
 * KECCAK_PERMUTE below declares them all. The includer defines
 * KECCAK_ROTL for the type.
 *
 * Output plane by plane: each plane's five lanes go through chi as soon as
 * they are ready, so only five of them are ever live and each input lane
 * is dead after its one use, which keeps the state in registers. A caller
 * runs two rounds per step, A to E and back, so no state is copied. */
#ifndef KECCAK_ROUND_H
#define KECCAK_ROUND_H

/* chi of the plane in b0..b4 into lanes E##0y..E##4y. */
#define KECCAK_CHI(E, y)                                                                           \
    do {                                                                                           \
        E##0##y = b0 ^ (~b1 & b2);                                                                 \
        E##1##y = b1 ^ (~b2 & b3);                                                                 \
        E##2##y = b2 ^ (~b3 & b4);                                                                 \
        E##3##y = b3 ^ (~b4 & b0);                                                                 \
        E##4##y = b4 ^ (~b0 & b1);                                                                 \
    } while (0)

#define KECCAK_ROUND(A, E, rc)                                                                     \
    do {                                                                                           \
        c0 = A##00 ^ A##01 ^ A##02 ^ A##03 ^ A##04;                                                \
        c1 = A##10 ^ A##11 ^ A##12 ^ A##13 ^ A##14;                                                \
        c2 = A##20 ^ A##21 ^ A##22 ^ A##23 ^ A##24;                                                \
        c3 = A##30 ^ A##31 ^ A##32 ^ A##33 ^ A##34;                                                \
        c4 = A##40 ^ A##41 ^ A##42 ^ A##43 ^ A##44;                                                \
        d0 = c4 ^ KECCAK_ROTL(c1, 1);                                                              \
        d1 = c0 ^ KECCAK_ROTL(c2, 1);                                                              \
        d2 = c1 ^ KECCAK_ROTL(c3, 1);                                                              \
        d3 = c2 ^ KECCAK_ROTL(c4, 1);                                                              \
        d4 = c3 ^ KECCAK_ROTL(c0, 1);                                                              \
        b0 = A##00 ^ d0;                                                                           \
        b1 = KECCAK_ROTL(A##11 ^ d1, 44);                                                          \
        b2 = KECCAK_ROTL(A##22 ^ d2, 43);                                                          \
        b3 = KECCAK_ROTL(A##33 ^ d3, 21);                                                          \
        b4 = KECCAK_ROTL(A##44 ^ d4, 14);                                                          \
        KECCAK_CHI(E, 0);                                                                          \
        b0 = KECCAK_ROTL(A##30 ^ d3, 28);                                                          \
        b1 = KECCAK_ROTL(A##41 ^ d4, 20);                                                          \
        b2 = KECCAK_ROTL(A##02 ^ d0, 3);                                                           \
        b3 = KECCAK_ROTL(A##13 ^ d1, 45);                                                          \
        b4 = KECCAK_ROTL(A##24 ^ d2, 61);                                                          \
        KECCAK_CHI(E, 1);                                                                          \
        b0 = KECCAK_ROTL(A##10 ^ d1, 1);                                                           \
        b1 = KECCAK_ROTL(A##21 ^ d2, 6);                                                           \
        b2 = KECCAK_ROTL(A##32 ^ d3, 25);                                                          \
        b3 = KECCAK_ROTL(A##43 ^ d4, 8);                                                           \
        b4 = KECCAK_ROTL(A##04 ^ d0, 18);                                                          \
        KECCAK_CHI(E, 2);                                                                          \
        b0 = KECCAK_ROTL(A##40 ^ d4, 27);                                                          \
        b1 = KECCAK_ROTL(A##01 ^ d0, 36);                                                          \
        b2 = KECCAK_ROTL(A##12 ^ d1, 10);                                                          \
        b3 = KECCAK_ROTL(A##23 ^ d2, 15);                                                          \
        b4 = KECCAK_ROTL(A##34 ^ d3, 56);                                                          \
        KECCAK_CHI(E, 3);                                                                          \
        b0 = KECCAK_ROTL(A##20 ^ d2, 62);                                                          \
        b1 = KECCAK_ROTL(A##31 ^ d3, 55);                                                          \
        b2 = KECCAK_ROTL(A##42 ^ d4, 39);                                                          \
        b3 = KECCAK_ROTL(A##03 ^ d0, 41);                                                          \
        b4 = KECCAK_ROTL(A##14 ^ d1, 2);                                                           \
        KECCAK_CHI(E, 4);                                                                          \
        E##00 ^= (rc);                                                                             \
    } while (0)

/* Keccak-f[1600] in place on the 25 lanes s[0..24] of type T (lane
 * (x, y) at s[x + 5 * y]): loaded into variables, 24 rounds two at a
 * time under the round constants rcs[0..23], stored back. The body of
 * every permutation, scalar or vector; KECCAK_ROTL defined for T. */
#define KECCAK_PERMUTE(T, s, rcs)                                                                  \
    do {                                                                                           \
        T a00 = (s)[0], a10 = (s)[1], a20 = (s)[2], a30 = (s)[3], a40 = (s)[4];                    \
        T a01 = (s)[5], a11 = (s)[6], a21 = (s)[7], a31 = (s)[8], a41 = (s)[9];                    \
        T a02 = (s)[10], a12 = (s)[11], a22 = (s)[12], a32 = (s)[13], a42 = (s)[14];               \
        T a03 = (s)[15], a13 = (s)[16], a23 = (s)[17], a33 = (s)[18], a43 = (s)[19];               \
        T a04 = (s)[20], a14 = (s)[21], a24 = (s)[22], a34 = (s)[23], a44 = (s)[24];               \
        T e00, e10, e20, e30, e40, e01, e11, e21, e31, e41, e02, e12, e22, e32, e42, e03, e13,     \
            e23, e33, e43, e04, e14, e24, e34, e44;                                                \
        T b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;                              \
        for (int round_ = 0; round_ < 24; round_ += 2) {                                           \
            KECCAK_ROUND(a, e, (rcs)[round_]);                                                     \
            KECCAK_ROUND(e, a, (rcs)[round_ + 1]);                                                 \
        }                                                                                          \
        (s)[0] = a00, (s)[1] = a10, (s)[2] = a20, (s)[3] = a30, (s)[4] = a40;                      \
        (s)[5] = a01, (s)[6] = a11, (s)[7] = a21, (s)[8] = a31, (s)[9] = a41;                      \
        (s)[10] = a02, (s)[11] = a12, (s)[12] = a22, (s)[13] = a32, (s)[14] = a42;                 \
        (s)[15] = a03, (s)[16] = a13, (s)[17] = a23, (s)[18] = a33, (s)[19] = a43;                 \
        (s)[20] = a04, (s)[21] = a14, (s)[22] = a24, (s)[23] = a34, (s)[24] = a44;                 \
    } while (0)

#endif
