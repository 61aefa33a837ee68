// minio.test.mjs — holdfast driven by the MinIO JavaScript client (minio),
// path style over http.  With a 5 MiB part size putObject sends a stream
// larger than a part as a multipart upload (minio numbers its parts from 2),
// anything smaller in one PUT with Content-MD5.  Invariant 1: what a client
// was told is stored reads back byte-identical.
// Top-level tests run in order and share the bucket.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as Minio from 'minio';
import { url, alice, bob, MiB, sha256, md5hex, random, multipartEtag, collect, unquote } from './common.mjs';

const bucket = 'jsminio';
const client = (creds) => new Minio.Client({
  endPoint: url.hostname, port: Number(url.port), useSSL: false, pathStyle: true, region: 'us-east-1',
  accessKey: creds.accessKeyId, secretKey: creds.secretAccessKey, partSize: 5 * MiB,
});
const mc = client(alice);

// The error a promise rejects with (fails if it resolves).
async function rejection(promise) {
  try { await promise; } catch (e) { return e; }
  assert.fail('the request succeeded; an error was expected');
}
// A Readable giving buf in pieces of n bytes.
const pieces = (buf, n) => {
  const a = [];
  for (let off = 0; off < buf.length; off += n) a.push(buf.subarray(off, off + n));
  return Readable.from(a);
};
const listAll = (prefix, recursive, startAfter = '') => new Promise((resolve, reject) => {
  const out = [];
  mc.listObjectsV2(bucket, prefix, recursive, startAfter)
    .on('data', (o) => out.push(o)).on('error', reject).on('end', () => resolve(out));
});

test('makeBucket and bucketExists', async () => {
  assert.equal(await mc.bucketExists(bucket), false);
  await mc.makeBucket(bucket, 'us-east-1');
  assert.equal(await mc.bucketExists(bucket), true);
  await mc.makeBucket(bucket, 'us-east-1');   // your own bucket again: 200 in us-east-1, as S3
  const e = await rejection(client(bob).makeBucket(bucket, 'us-east-1'));
  assert.equal(e.code, 'BucketAlreadyExists', "bob cannot take alice's bucket name");
});

test('putObject (buffer, one PUT) and getObject byte-identical, with metadata', async () => {
  const body = random(200_000);
  const r = await mc.putObject(bucket, 'small/one.bin', body, body.length, { 'Content-Type': 'application/x-test', 'X-Amz-Meta-Colour': 'green' });
  assert.equal(r.etag, md5hex(body));
  assert.equal(sha256(await collect(await mc.getObject(bucket, 'small/one.bin'))), sha256(body));
  const st = await mc.statObject(bucket, 'small/one.bin');
  assert.equal(st.size, body.length);
  assert.equal(st.etag, md5hex(body));
  assert.equal(st.metaData['content-type'], 'application/x-test');
  assert.equal(st.metaData.colour, 'green');
});

test('putObject (stream of 21 MiB + 5 bytes, 5 MiB parts): multipart, byte-identical', async () => {
  const body = random(21 * MiB + 5);
  const r = await mc.putObject(bucket, 'big/stream.bin', pieces(body, 64 * 1024), body.length);
  assert.equal(unquote(r.etag), multipartEtag(body, 5 * MiB), 'S3 multipart ETag of 5 parts');
  const st = await mc.statObject(bucket, 'big/stream.bin');
  assert.equal(st.size, body.length);
  assert.equal(sha256(await collect(await mc.getObject(bucket, 'big/stream.bin'))), sha256(body));
  const part = await collect(await mc.getPartialObject(bucket, 'big/stream.bin', 5 * MiB - 10, 20));
  assert.ok(part.equals(body.subarray(5 * MiB - 10, 5 * MiB + 10)), 'a range across a part boundary');
});

test('putObject (stream of unknown length): a one-part multipart upload', async () => {
  const body = random(300_000);
  const r = await mc.putObject(bucket, 'small/unknown-length', pieces(body, 10_000));
  assert.equal(unquote(r.etag), multipartEtag(body, body.length));
  assert.ok((await collect(await mc.getObject(bucket, 'small/unknown-length'))).equals(body));
});

test('putObject of an empty buffer', async () => {
  await mc.putObject(bucket, 'small/empty', Buffer.alloc(0));
  assert.equal((await mc.statObject(bucket, 'small/empty')).size, 0);
  assert.equal((await collect(await mc.getObject(bucket, 'small/empty'))).length, 0);
});

test('listObjectsV2: recursive and by prefix', async () => {
  for (const k of ['dir/a/1', 'dir/a/2', 'dir/b', 'dir/c d+e'])
    await mc.putObject(bucket, k, Buffer.from(k));
  const rec = await listAll('', true);
  assert.deepEqual(rec.map((o) => o.name), [
    'big/stream.bin', 'dir/a/1', 'dir/a/2', 'dir/b', 'dir/c d+e', 'small/empty', 'small/one.bin', 'small/unknown-length']);
  assert.equal(rec.find((o) => o.name === 'dir/b').size, 5);
  const top = await listAll('dir/', false);   // minio gives a page's objects, then its prefixes
  assert.deepEqual(top.filter((o) => o.name).map((o) => o.name), ['dir/b', 'dir/c d+e']);
  assert.deepEqual(top.filter((o) => o.prefix).map((o) => o.prefix), ['dir/a/']);
  const after = await listAll('dir/', true, 'dir/a/2');
  assert.deepEqual(after.map((o) => o.name), ['dir/b', 'dir/c d+e']);
});

test('listObjectsV2 in pages of 7 (listObjectsV2Query, encoding-type=url, continuation tokens)', async () => {
  const want = [];
  for (let i = 0; i < 45; i++) want.push(`many/${String(i).padStart(3, '0')}`);
  await Promise.all(want.map((k) => mc.putObject(bucket, k, Buffer.from('m'))));
  for (const k of ['many/sub/x', 'many/sub/y', 'many/t t/z']) await mc.putObject(bucket, k, Buffer.from('s'));
  const got = [];
  let token = '';
  let pages = 0;
  for (;;) {
    const r = await mc.listObjectsV2Query(bucket, 'many/', token, '/', 7, '');
    pages++;
    assert.ok(r.objects.length <= 7 && r.objects.length > 0, `page ${pages}: ${r.objects.length} entries`);
    got.push(...r.objects.map((o) => o.prefix ?? o.name));
    if (!r.isTruncated) break;
    assert.ok(r.nextContinuationToken, 'a truncated page names its continuation token');
    token = r.nextContinuationToken;
    assert.ok(pages < 20, 'pagination ends');
  }
  assert.equal(pages, 7, '45 keys and 2 common prefixes in pages of 7');
  assert.deepEqual(got, [...want, 'many/sub/', 'many/t t/']);
});

test('copyObject and removeObject; a removed object is gone', async () => {
  await mc.copyObject(bucket, 'small/copy', `/${bucket}/small/one.bin`, new Minio.CopyConditions());
  assert.ok((await collect(await mc.getObject(bucket, 'small/copy')))
    .equals(await collect(await mc.getObject(bucket, 'small/one.bin'))));
  await mc.removeObject(bucket, 'small/copy');
  const e = await rejection(mc.statObject(bucket, 'small/copy'));
  assert.equal(e.code, 'NotFound');
  const g = await rejection(mc.getObject(bucket, 'small/copy'));
  assert.equal(g.code, 'NoSuchKey');
});

test('removeObjects (DeleteObjects) of 48 keys', async () => {
  const names = (await listAll('many/', true)).map((o) => o.name);
  await mc.removeObjects(bucket, names);
  assert.equal((await listAll('many/', true)).length, 0);
});

test('presignedGetObject works with fetch; presignedPutObject uploads', async () => {
  const body = await collect(await mc.getObject(bucket, 'small/one.bin'));
  const u = await mc.presignedGetObject(bucket, 'small/one.bin', 120);
  let res = await fetch(u);
  assert.equal(res.status, 200);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(body));
  const pu = await mc.presignedPutObject(bucket, 'small/presigned-put', 120);
  const up = random(12345);
  res = await fetch(pu, { method: 'PUT', body: up });
  assert.equal(res.status, 200);
  assert.ok((await collect(await mc.getObject(bucket, 'small/presigned-put'))).equals(up));
  res = await fetch(u.replace('small%2Fone.bin', 'small%2Fpresigned-put').replace('small/one.bin', 'small/presigned-put'));
  assert.equal(res.status, 403, 'a URL signed for one key does not open another');
});

test("another user cannot see alice's bucket", async () => {
  const b = client(bob);
  const e = await rejection(b.getObject(bucket, 'small/one.bin'));
  assert.equal(e.code, 'AccessDenied');
});

test('removeBucket refuses a non-empty bucket, then removes the emptied one', async () => {
  const e = await rejection(mc.removeBucket(bucket));
  assert.equal(e.code, 'BucketNotEmpty');
  const names = (await listAll('', true)).map((o) => o.name);
  await mc.removeObjects(bucket, names);
  await mc.removeBucket(bucket);
  assert.equal(await mc.bucketExists(bucket), false);
});
