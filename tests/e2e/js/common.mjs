// common.mjs — what the JS end-to-end tests share: the server's endpoint
// and the two users' keys (exported by tests/e2e/s3lib.sh's start_server),
// random bytes, digests and stream helpers.
import { createHash, randomBytes } from 'node:crypto';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through tests/e2e/test_js_sdks.sh`);
  return v;
}

export const endpoint = need('HF_ENDPOINT');          // http://127.0.0.1:PORT
export const alice = { accessKeyId: need('HF_AK'), secretAccessKey: need('HF_SK') };
export const bob = { accessKeyId: need('HF_AK2'), secretAccessKey: need('HF_SK2') };
export const url = new URL(endpoint);
export const MiB = 1024 * 1024;

export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
export const md5hex = (buf) => createHash('md5').update(buf).digest('hex');
export const random = (n) => randomBytes(n);

// The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, "-N".
export function multipartEtag(buf, partSize) {
  const h = createHash('md5');
  let n = 0;
  for (let off = 0; off < buf.length; off += partSize, n++)
    h.update(createHash('md5').update(buf.subarray(off, off + partSize)).digest());
  return `${h.digest('hex')}-${n}`;
}

// Every byte of a Readable (or async iterable) into one Buffer.
export async function collect(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

// SHA-256 and length of a stream without keeping it.
export async function digestStream(stream) {
  const h = createHash('sha256');
  let n = 0;
  for await (const c of stream) { h.update(c); n += c.length; }
  return { sha256: h.digest('hex'), length: n };
}

export const unquote = (etag) => (etag || '').replace(/^"|"$/g, '');
