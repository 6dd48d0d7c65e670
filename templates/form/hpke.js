/* HPKE (RFC 9180) base mode for one suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.
   Built on WebCrypto only: X25519 for the key agreement, HMAC-SHA256 for HKDF's
   LabeledExtract/LabeledExpand, AES-GCM for the AEAD. Checked against RFC 9180 appendix A.1 and by
   round trips with goalbook's Python side (the `cryptography` package). */
var GoalbookHPKE = (function () {
  "use strict";
  var subtle = crypto.subtle;
  var enc = new TextEncoder();
  var KEM_ID = 0x0020, KDF_ID = 0x0001, AEAD_ID = 0x0001, NK = 16, NN = 12, NH = 32;

  function concat() {
    var total = 0, i, out, at = 0;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    out = new Uint8Array(total);
    for (i = 0; i < arguments.length; i++) { out.set(arguments[i], at); at += arguments[i].length; }
    return out;
  }
  function i2osp(n, w) {
    var out = new Uint8Array(w), i;
    for (i = w - 1; i >= 0; i--) { out[i] = n & 0xff; n = Math.floor(n / 256); }
    return out;
  }
  var KEM_SUITE = concat(enc.encode("KEM"), i2osp(KEM_ID, 2));
  var HPKE_SUITE = concat(enc.encode("HPKE"), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(AEAD_ID, 2));
  var VERSION = enc.encode("HPKE-v1");

  function hmac(key, data) {
    // HKDF-Extract with an empty salt uses HashLen zero bytes (RFC 5869); HMAC pads any key with
    // zeros, so this equals the empty key WebCrypto refuses to import.
    if (key.length === 0) key = new Uint8Array(NH);
    return subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (k) { return subtle.sign("HMAC", k, data); })
      .then(function (sig) { return new Uint8Array(sig); });
  }
  function extract(salt, ikm) { return hmac(salt, ikm); }
  function expand(prk, info, length) {
    var out = new Uint8Array(0), previous = new Uint8Array(0), counter = 1;
    function step() {
      if (out.length >= length) return Promise.resolve(out.slice(0, length));
      return hmac(prk, concat(previous, info, new Uint8Array([counter]))).then(function (t) {
        previous = t; out = concat(out, t); counter += 1; return step();
      });
    }
    return step();
  }
  function labeledExtract(suite, salt, label, ikm) {
    return extract(salt, concat(VERSION, suite, enc.encode(label), ikm));
  }
  function labeledExpand(suite, prk, label, info, length) {
    return expand(prk, concat(i2osp(length, 2), VERSION, suite, enc.encode(label), info), length);
  }

  var PKCS8_X25519 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
                                     0x6e, 0x04, 0x22, 0x04, 0x20]);
  function importPrivate(raw) {
    return subtle.importKey("pkcs8", concat(PKCS8_X25519, raw), { name: "X25519" }, true, ["deriveBits"]);
  }
  function ephemeral(fixedSecret) {
    // A fixed ephemeral secret is only for the RFC's test vectors; a reply always uses a fresh key.
    if (fixedSecret) {
      return importPrivate(fixedSecret).then(function (sk) {
        return subtle.exportKey("jwk", sk).then(function (jwk) {
          var b = atob(jwk.x.replace(/-/g, "+").replace(/_/g, "/")), pk = new Uint8Array(b.length), i;
          for (i = 0; i < b.length; i++) pk[i] = b.charCodeAt(i);
          return { privateKey: sk, publicRaw: pk };
        });
      });
    }
    return subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]).then(function (pair) {
      return subtle.exportKey("raw", pair.publicKey).then(function (raw) {
        return { privateKey: pair.privateKey, publicRaw: new Uint8Array(raw) };
      });
    });
  }

  function encap(pkR, fixedSecret) {
    var eph, pkRKey;
    return subtle.importKey("raw", pkR, { name: "X25519" }, false, []).then(function (k) {
      pkRKey = k;
      return ephemeral(fixedSecret);
    }).then(function (e) {
      eph = e;
      return subtle.deriveBits({ name: "X25519", public: pkRKey }, eph.privateKey, 256);
    }).then(function (dh) {
      return labeledExtract(KEM_SUITE, new Uint8Array(0), "eae_prk", new Uint8Array(dh));
    }).then(function (prk) {
      return labeledExpand(KEM_SUITE, prk, "shared_secret", concat(eph.publicRaw, pkR), NH);
    }).then(function (shared) {
      return { sharedSecret: shared, enc: eph.publicRaw };
    });
  }

  function keySchedule(sharedSecret, info) {
    var empty = new Uint8Array(0), ctx = {};
    return labeledExtract(HPKE_SUITE, empty, "psk_id_hash", empty).then(function (pskIdHash) {
      ctx.pskIdHash = pskIdHash;
      return labeledExtract(HPKE_SUITE, empty, "info_hash", info);
    }).then(function (infoHash) {
      ctx.context = concat(new Uint8Array([0]), ctx.pskIdHash, infoHash);
      return labeledExtract(HPKE_SUITE, sharedSecret, "secret", empty);
    }).then(function (secret) {
      ctx.secret = secret;
      return labeledExpand(HPKE_SUITE, secret, "key", ctx.context, NK);
    }).then(function (key) {
      ctx.key = key;
      return labeledExpand(HPKE_SUITE, ctx.secret, "base_nonce", ctx.context, NN);
    }).then(function (nonce) {
      ctx.baseNonce = nonce;
      return ctx;
    });
  }

  function aeadSeal(key, nonce, aad, plaintext) {
    return subtle.importKey("raw", key, { name: "AES-GCM" }, false, ["encrypt"]).then(function (k) {
      return subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 }, k, plaintext);
    }).then(function (ct) { return new Uint8Array(ct); });
  }

  /* Base-mode single-shot seal (sequence number 0). `fixedSecret` (tests only): the ephemeral key. */
  function seal(pkR, info, aad, plaintext, fixedSecret) {
    var e;
    return encap(pkR, fixedSecret).then(function (result) {
      e = result;
      return keySchedule(e.sharedSecret, info);
    }).then(function (ctx) {
      return aeadSeal(ctx.key, ctx.baseNonce, aad, plaintext).then(function (ct) {
        return { enc: e.enc, ct: ct, sharedSecret: e.sharedSecret, context: ctx.context, secret: ctx.secret,
                 key: ctx.key, baseNonce: ctx.baseNonce };
      });
    });
  }

  return { seal: seal, concat: concat };
})();
