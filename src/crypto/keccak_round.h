/* One round of Keccak-f[1600], included as the body of a loop over
 * `round` in keccak.c (once for single lanes, once per vector width): lane
 * (x, y) of the state is the variable a<x><y>, b<x><y> holds it after rho
 * and pi, c and d are theta's columns. The includer declares them all, of
 * one type (uint64_t, or a vector of uint64_t: several states advance
 * together), and defines KECCAK_ROTL for it. */
c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
d0 = c4 ^ KECCAK_ROTL(c1, 1);
d1 = c0 ^ KECCAK_ROTL(c2, 1);
d2 = c1 ^ KECCAK_ROTL(c3, 1);
d3 = c2 ^ KECCAK_ROTL(c4, 1);
d4 = c3 ^ KECCAK_ROTL(c0, 1);
b00 = a00 ^ d0;
b02 = KECCAK_ROTL(a10 ^ d1, 1);
b04 = KECCAK_ROTL(a20 ^ d2, 62);
b01 = KECCAK_ROTL(a30 ^ d3, 28);
b03 = KECCAK_ROTL(a40 ^ d4, 27);
b13 = KECCAK_ROTL(a01 ^ d0, 36);
b10 = KECCAK_ROTL(a11 ^ d1, 44);
b12 = KECCAK_ROTL(a21 ^ d2, 6);
b14 = KECCAK_ROTL(a31 ^ d3, 55);
b11 = KECCAK_ROTL(a41 ^ d4, 20);
b21 = KECCAK_ROTL(a02 ^ d0, 3);
b23 = KECCAK_ROTL(a12 ^ d1, 10);
b20 = KECCAK_ROTL(a22 ^ d2, 43);
b22 = KECCAK_ROTL(a32 ^ d3, 25);
b24 = KECCAK_ROTL(a42 ^ d4, 39);
b34 = KECCAK_ROTL(a03 ^ d0, 41);
b31 = KECCAK_ROTL(a13 ^ d1, 45);
b33 = KECCAK_ROTL(a23 ^ d2, 15);
b30 = KECCAK_ROTL(a33 ^ d3, 21);
b32 = KECCAK_ROTL(a43 ^ d4, 8);
b42 = KECCAK_ROTL(a04 ^ d0, 18);
b44 = KECCAK_ROTL(a14 ^ d1, 2);
b41 = KECCAK_ROTL(a24 ^ d2, 61);
b43 = KECCAK_ROTL(a34 ^ d3, 56);
b40 = KECCAK_ROTL(a44 ^ d4, 14);
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
