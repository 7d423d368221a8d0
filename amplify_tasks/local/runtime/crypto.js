// The `crypto` module of CloudFront Functions (runtime 2.0): createHash and createHmac for
// md5, sha1 and sha256, digests as hex, base64, base64url, binary or bytes. Evaluated once per
// engine context; defines globalThis.__amplifyCrypto.
(function (global) {
  'use strict';
  const codec = global.__amplifyCodec;

  function rotl(x, n) { return (x << n) | (x >>> (32 - n)); }

  // Pads a message as MD5 / SHA do: 0x80, zeros, 64-bit length (little or big endian).
  function padded(bytes, littleEndian) {
    const bitLength = bytes.length * 8;
    const total = ((bytes.length + 9 + 63) >> 6) << 6;
    const out = new Uint8Array(total);
    out.set(bytes);
    out[bytes.length] = 0x80;
    const view = new DataView(out.buffer);
    const high = Math.floor(bitLength / 0x100000000);
    const low = bitLength >>> 0;
    if (littleEndian) {
      view.setUint32(total - 8, low, true);
      view.setUint32(total - 4, high, true);
    } else {
      view.setUint32(total - 8, high, false);
      view.setUint32(total - 4, low, false);
    }
    return view;
  }

  function words(state, littleEndian) {
    const out = new Uint8Array(state.length * 4);
    const view = new DataView(out.buffer);
    state.forEach((word, i) => view.setUint32(i * 4, word >>> 0, littleEndian));
    return out;
  }

  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = Array.from({ length: 64 }, (_, i) =>
    Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0);

  function md5(bytes) {
    const view = padded(bytes, true);
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let offset = 0; offset < view.byteLength; offset += 64) {
      const m = Array.from({ length: 16 }, (_, i) => view.getUint32(offset + i * 4, true));
      let [a, b, c, d] = h;
      for (let i = 0; i < 64; i++) {
        let f, g;
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); g = (7 * i) % 16; }
        const shift = MD5_S[(i >> 4) * 4 + (i % 4)];
        const next = (b + rotl((a + f + MD5_K[i] + m[g]) | 0, shift)) | 0;
        a = d; d = c; c = b; b = next;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    }
    return words(h, true);
  }

  function sha1(bytes) {
    const view = padded(bytes, false);
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const w = new Array(80);
    for (let offset = 0; offset < view.byteLength; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4, false);
      for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
      let [a, b, c, d, e] = h;
      for (let i = 0; i < 80; i++) {
        let f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
        else { f = b ^ c ^ d; k = 0xca62c1d6; }
        const next = (rotl(a, 5) + f + e + k + w[i]) | 0;
        e = d; d = c; c = rotl(b, 30); b = a; a = next;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0; h[4] = (h[4] + e) | 0;
    }
    return words(h, false);
  }

  const SHA256_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  function sha256(bytes) {
    const view = padded(bytes, false);
    const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    const w = new Array(64);
    for (let offset = 0; offset < view.byteLength; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4, false);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g))
          + SHA256_K[i] + w[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] = (h[i] + v) | 0; });
    }
    return words(h, false);
  }

  const ALGORITHMS = { md5: md5, sha1: sha1, sha256: sha256 };

  function algorithm(name) {
    const fn = ALGORITHMS[String(name).toLowerCase()];
    if (!fn) throw new Error('Digest method not supported: ' + name);
    return fn;
  }

  function concat(chunks) {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  function encodeDigest(bytes, encoding) {
    if (encoding === undefined) return bytes;
    switch (encoding) {
      case 'hex': return codec.hex(bytes);
      case 'base64': return codec.base64(bytes);
      case 'base64url': return codec.base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      case 'binary': case 'latin1': return codec.binary(bytes);
      default: throw new Error('Unknown digest encoding: ' + encoding);
    }
  }

  function makeHash(digestBytes) {
    const chunks = [];
    let done = false;
    return {
      update(data, inputEncoding) {
        if (done) throw new Error('Digest already called');
        chunks.push(codec.toBytes(data, inputEncoding));
        return this;
      },
      digest(encoding) {
        if (done) throw new Error('Digest already called');
        done = true;
        return encodeDigest(digestBytes(concat(chunks)), encoding);
      },
    };
  }

  function createHash(name) {
    return makeHash(algorithm(name));
  }

  function createHmac(name, key) {
    const hash = algorithm(name);
    let k = codec.toBytes(key);
    if (k.length > 64) k = hash(k);
    const block = new Uint8Array(64);
    block.set(k);
    const inner = block.map((b) => b ^ 0x36);
    const outer = block.map((b) => b ^ 0x5c);
    return makeHash((message) => hash(concat([outer, hash(concat([inner, message]))])));
  }

  global.__amplifyCrypto = { createHash: createHash, createHmac: createHmac };
})(globalThis);
