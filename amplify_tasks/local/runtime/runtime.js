// What CloudFront Functions (runtime 2.0) give a function beyond the language: atob / btoa,
// console, and the modules `cloudfront` (kvs), `crypto` (crypto.js) and `querystring`, reached
// through require() (the emulator rewrites `import x from 'module'` into require calls).
// __amplifyRun(event) runs one request: a fresh instance of the function's code, its handler
// called with the event, every promise settled before it returns (the engine's microtasks are
// drained inside the call, so the call's time limit covers async code as well), with the
// request's logs and its key value store calls.
// Needs V8's --allow-natives-syntax (for %PerformMicrotaskCheckpoint).
(function (global) {
  'use strict';

  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  const codec = {
    utf8(text) {
      const bytes = [];
      for (const ch of String(text)) {
        let c = ch.codePointAt(0);
        if (c < 0x80) bytes.push(c);
        else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return Uint8Array.from(bytes);
    },
    hex(bytes) {
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    },
    binary(bytes) {
      let out = '';
      for (const b of bytes) out += String.fromCharCode(b);
      return out;
    },
    base64(bytes) {
      let out = '';
      for (let i = 0; i < bytes.length; i += 3) {
        const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
        out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63]
          + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=')
          + (i + 2 < bytes.length ? B64[n & 63] : '=');
      }
      return out;
    },
    fromBase64(text) {
      const clean = String(text).replace(/[\s=]/g, '').replace(/-/g, '+').replace(/_/g, '/');
      if (/[^A-Za-z0-9+/]/.test(clean) || clean.length % 4 === 1) {
        throw new Error('The string to be decoded is not correctly encoded.');
      }
      const bytes = [];
      for (let i = 0; i < clean.length; i += 4) {
        const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1]) << 12)
          | ((i + 2 < clean.length ? B64.indexOf(clean[i + 2]) : 0) << 6)
          | (i + 3 < clean.length ? B64.indexOf(clean[i + 3]) : 0);
        bytes.push((n >> 16) & 255);
        if (i + 2 < clean.length) bytes.push((n >> 8) & 255);
        if (i + 3 < clean.length) bytes.push(n & 255);
      }
      return Uint8Array.from(bytes);
    },
    // Bytes of a hash input: strings are UTF-8 unless an encoding says otherwise.
    toBytes(data, encoding) {
      if (data instanceof Uint8Array) return data;
      if (data instanceof ArrayBuffer) return new Uint8Array(data);
      if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const text = String(data);
      if (encoding === 'hex') return Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
      if (encoding === 'base64' || encoding === 'base64url') return codec.fromBase64(text);
      if (encoding === 'binary' || encoding === 'latin1') return Uint8Array.from(text, (c) => c.charCodeAt(0) & 255);
      return codec.utf8(text);
    },
  };
  global.__amplifyCodec = codec;

  global.btoa = function btoa(text) {
    const value = String(text);
    if (/[^\u0000-\u00ff]/.test(value)) {
      throw new Error('The string to be encoded contains characters outside of the Latin1 range.');
    }
    return codec.base64(Uint8Array.from(value, (c) => c.charCodeAt(0)));
  };
  global.atob = function atob(text) {
    return codec.binary(codec.fromBase64(text));
  };
  // CloudFront Functions have no timers (the engine's own are global vars: unset, not deleted)
  global.setTimeout = undefined;
  global.clearTimeout = undefined;

  let logs = [];
  const log = (...args) => {
    logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  global.console = { log: log, info: log, warn: log, error: log, debug: log };

  // -- querystring -------------------------------------------------------------------------
  const querystring = {
    escape: (s) => encodeURIComponent(s),
    unescape: (s) => { try { return decodeURIComponent(s); } catch (e) { return s; } },
    parse(text, sep, eq) {
      const result = {};
      if (typeof text !== 'string' || text === '') return result;
      for (const part of text.split(sep || '&')) {
        if (part === '') continue;
        const at = part.indexOf(eq || '=');
        const key = querystring.unescape((at < 0 ? part : part.slice(0, at)).replace(/\+/g, ' '));
        const value = at < 0 ? '' : querystring.unescape(part.slice(at + 1).replace(/\+/g, ' '));
        if (!Object.prototype.hasOwnProperty.call(result, key)) result[key] = value;
        else if (Array.isArray(result[key])) result[key].push(value);
        else result[key] = [result[key], value];
      }
      return result;
    },
    stringify(obj, sep, eq) {
      const parts = [];
      for (const key of Object.keys(obj || {})) {
        const values = Array.isArray(obj[key]) ? obj[key] : [obj[key]];
        for (const v of values) {
          parts.push(querystring.escape(key) + (eq || '=') + querystring.escape(v === undefined || v === null ? '' : String(v)));
        }
      }
      return parts.join(sep || '&');
    },
  };
  querystring.decode = querystring.parse;
  querystring.encode = querystring.stringify;

  // -- cloudfront: the key value store ------------------------------------------------------
  let store = null; // {id, arn, created, lastUpdated, items}: set by the emulator per version
  let reads = []; // [method, key] of each store call of the current request
  global.__amplifySetKvs = function (json) { store = JSON.parse(json); return true; };

  function kvs(id) {
    const current = store;
    if (!current) throw new Error('No key value store is associated with this function');
    if (id !== undefined && id !== current.id && id !== current.arn) {
      throw new Error('The key value store ' + id + ' is not associated with this function');
    }
    const has = (key) => Object.prototype.hasOwnProperty.call(current.items, key);
    return {
      async get(key, options) {
        reads.push(['get', String(key)]);
        const format = (options && options.format) || 'string';
        if (!has(key)) throw new Error('Key ' + key + ' not found');
        const value = current.items[key];
        if (format === 'string') return value;
        if (format === 'json') return JSON.parse(value);
        if (format === 'bytes') return codec.utf8(value);
        throw new Error('Unknown format ' + format + ': use string, json or bytes');
      },
      async exists(key) { reads.push(['exists', String(key)]); return has(key); },
      async meta() {
        reads.push(['meta', '']);
        return {
          creationDateTime: current.created,
          lastUpdatedDateTime: current.lastUpdated,
          keyCount: Object.keys(current.items).length,
        };
      },
    };
  }

  const modules = {
    cloudfront: { kvs: kvs },
    querystring: querystring,
    get crypto() { return global.__amplifyCrypto; },
  };
  global.require = function require(name) {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new Error("Cannot find module '" + name + "'");
  };

  // -- one request --------------------------------------------------------------------------
  const describe = (e) => (e && e.stack ? String(e.stack) : String(e));

  global.__amplifyRun = function (event) {
    logs = [];
    reads = [];
    const state = { settled: false };
    const settle = (ok, value) => {
      state.settled = true;
      if (ok) state.value = value === undefined ? null : value;
      else state.error = describe(value);
    };
    try {
      const handler = global.__amplifyFunction();
      if (typeof handler !== 'function') throw new Error('The function code defines no handler function');
      Promise.resolve(handler(event)).then((v) => settle(true, v), (e) => settle(false, e));
    } catch (e) {
      settle(false, e);
    }
    %PerformMicrotaskCheckpoint();
    if (!state.settled) state.error = 'The handler returned a promise that never settled';
    state.logs = logs;
    state.reads = reads;
    return state;
  };
})(globalThis);
