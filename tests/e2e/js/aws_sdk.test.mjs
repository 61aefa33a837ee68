// aws_sdk.test.mjs — holdfast driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-s3, lib-storage, s3-request-presigner) with its default
// settings: flexible checksums on (CRC32), so stream bodies go up as
// aws-chunked with an x-amz-checksum-crc32 trailer and buffers carry an
// x-amz-checksum-crc32 header.  Invariant 1: what a client was told is
// stored reads back byte-identical; a bad checksum stores nothing.
// Top-level tests run in order and share the bucket.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  S3Client, CreateBucketCommand, HeadBucketCommand, PutObjectCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsV2Command, paginateListObjectsV2, CopyObjectCommand,
  DeleteObjectCommand, DeleteObjectsCommand, PutBucketVersioningCommand,
  GetBucketVersioningCommand, ListObjectVersionsCommand, ListBucketsCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  endpoint, alice, bob, MiB, sha256, md5hex, random, multipartEtag, collect, digestStream, unquote,
} from './common.mjs';

const Bucket = 'jsaws';
const client = (credentials) => new S3Client({
  endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1,
});
const s3 = client(alice);

// The headers each request went out with, after checksums and signing.
const sent = [];
s3.middlewareStack.add((next, context) => async (args) => {
  sent.push({ command: context.commandName, headers: { ...args.request.headers } });
  return next(args);
}, { step: 'finalizeRequest', name: 'holdfastRecordHeaders', priority: 'low' });
const lastSent = (command) => sent.filter((s) => s.command === command).at(-1)?.headers ?? {};

// The error a promise rejects with (fails if it resolves).
async function rejection(promise) {
  try { await promise; } catch (e) { return e; }
  assert.fail('the request succeeded; an error was expected');
}
const getBytes = async (params) => collect((await s3.send(new GetObjectCommand({ Bucket, ...params }))).Body);

test('CreateBucket, HeadBucket, ListBuckets', async () => {
  await s3.send(new CreateBucketCommand({ Bucket }));
  const head = await s3.send(new HeadBucketCommand({ Bucket }));
  assert.equal(head.$metadata.httpStatusCode, 200);
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  assert.ok(Buckets.some((b) => b.Name === Bucket), 'the new bucket is listed');
});

test('PutObject (buffer, CRC32 header) and GetObject byte-identical, with metadata', async () => {
  const body = random(100_000);
  const put = await s3.send(new PutObjectCommand({
    Bucket, Key: 'small/one.bin', Body: body, ContentType: 'application/x-test', Metadata: { colour: 'blue' },
  }));
  assert.equal(unquote(put.ETag), md5hex(body), 'ETag is the MD5 of the body');
  const h = lastSent('PutObjectCommand');
  assert.match(h['x-amz-checksum-crc32'] ?? '', /^[A-Za-z0-9+/]{6}==$/, 'the SDK sent a CRC32 header');
  const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'small/one.bin' }));
  assert.equal(get.ContentType, 'application/x-test');
  assert.equal(get.Metadata.colour, 'blue');
  assert.equal(get.ContentLength, body.length);
  assert.equal(sha256(await collect(get.Body)), sha256(body));
});

test('PutObject (stream): aws-chunked with an x-amz-checksum-crc32 trailer', async () => {
  const body = random(3 * MiB + 4321);
  const parts = [];
  for (let off = 0; off < body.length; off += 64 * 1024) parts.push(body.subarray(off, off + 64 * 1024));
  const put = await s3.send(new PutObjectCommand({
    Bucket, Key: 'stream/chunked.bin', Body: Readable.from(parts), ContentLength: body.length,
  }));
  assert.equal(unquote(put.ETag), md5hex(body));
  const h = lastSent('PutObjectCommand');
  assert.match(h['content-encoding'] ?? '', /aws-chunked/, 'content-encoding aws-chunked');
  assert.equal(h['x-amz-trailer'], 'x-amz-checksum-crc32');
  assert.equal(h['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  assert.equal(h['x-amz-decoded-content-length'], String(body.length));
  assert.equal(sha256(await getBytes({ Key: 'stream/chunked.bin' })), sha256(body));
});

test('PutObject (stream) with CRC32C, SHA1 and SHA256 trailers', async () => {
  for (const alg of ['CRC32C', 'SHA1', 'SHA256']) {
    const body = random(300_000 + alg.length);
    const Key = `stream/${alg}`;
    await s3.send(new PutObjectCommand({
      Bucket, Key, Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
      ContentLength: body.length, ChecksumAlgorithm: alg,
    }));
    const h = lastSent('PutObjectCommand');
    assert.equal(h['x-amz-trailer'], `x-amz-checksum-${alg.toLowerCase()}`, alg);
    assert.equal(sha256(await getBytes({ Key })), sha256(body), alg);
  }
});

test('PutObject of an empty body, and an empty stream', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'small/empty', Body: Buffer.alloc(0) }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'small/empty-stream', Body: Readable.from([]), ContentLength: 0 }));
  for (const Key of ['small/empty', 'small/empty-stream']) {
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    assert.equal(head.ContentLength, 0, Key);
    assert.equal(unquote(head.ETag), md5hex(Buffer.alloc(0)), Key);
    assert.equal((await getBytes({ Key })).length, 0, Key);
  }
});

test('a wrong CRC32 is refused (BadDigest) and stores nothing', async () => {
  const e = await rejection(s3.send(new PutObjectCommand({
    Bucket, Key: 'small/bad-crc', Body: Buffer.from('some bytes'), ChecksumCRC32: 'AAAAAA==',
  })));
  assert.equal(e.$metadata?.httpStatusCode, 400);
  assert.equal(e.name, 'BadDigest');
  const gone = await rejection(s3.send(new HeadObjectCommand({ Bucket, Key: 'small/bad-crc' })));
  assert.equal(gone.$metadata?.httpStatusCode, 404);
});

test('GetObject with a Range', async () => {
  const body = await getBytes({ Key: 'small/one.bin' });
  const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'small/one.bin', Range: 'bytes=1000-1999' }));
  assert.equal(get.$metadata.httpStatusCode, 206);
  assert.equal(get.ContentRange, `bytes 1000-1999/${body.length}`);
  assert.ok((await collect(get.Body)).equals(body.subarray(1000, 2000)));
});

test('lib-storage Upload: 64 MiB multipart (8 MiB parts, 3 at once), byte-identical', async () => {
  const body = random(64 * MiB);
  const partSize = 8 * MiB;
  const up = new Upload({ client: s3, params: { Bucket, Key: 'big/64MiB.bin', Body: body }, partSize, queueSize: 3 });
  let progressParts = 0;
  up.on('httpUploadProgress', () => { progressParts++; });
  const res = await up.done();
  assert.equal(unquote(res.ETag), multipartEtag(body, partSize), 'S3 multipart ETag, 8 parts');
  assert.ok(progressParts >= 8, `progress events: ${progressParts}`);
  const parts = sent.filter((s) => s.command === 'UploadPartCommand');
  assert.equal(parts.length, 8, 'eight UploadPart requests');
  assert.ok(parts.every((p) => p.headers['x-amz-checksum-crc32']), 'every part carried a CRC32');
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'big/64MiB.bin' }));
  assert.equal(head.ContentLength, body.length);
  const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'big/64MiB.bin' }));
  const d = await digestStream(get.Body);
  assert.equal(d.length, body.length);
  assert.equal(d.sha256, sha256(body));
  const mpu = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
  assert.equal((mpu.Uploads ?? []).length, 0, 'no upload left in progress');
});

test('lib-storage Upload from a stream of unknown length (multipart, 6 MiB parts)', async () => {
  const body = random(13 * MiB + 17);
  const chunks = [];
  for (let off = 0; off < body.length; off += 100_000) chunks.push(body.subarray(off, off + 100_000));
  const up = new Upload({ client: s3, params: { Bucket, Key: 'big/stream.bin', Body: Readable.from(chunks) }, partSize: 6 * MiB });
  const res = await up.done();
  assert.equal(unquote(res.ETag), multipartEtag(body, 6 * MiB));
  assert.equal(sha256(await getBytes({ Key: 'big/stream.bin' })), sha256(body));
});

test('ListObjectsV2: prefix and delimiter', async () => {
  for (const Key of ['tree/a/1', 'tree/a/2', 'tree/b/x/1', 'tree/c', 'tree/d e+f&g', 'treetop'])
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'tree/', Delimiter: '/' }));
  assert.deepEqual((r.CommonPrefixes ?? []).map((p) => p.Prefix), ['tree/a/', 'tree/b/']);
  assert.deepEqual((r.Contents ?? []).map((o) => o.Key), ['tree/c', 'tree/d e+f&g']);
  assert.equal(r.KeyCount, 4);
  assert.equal(r.IsTruncated, false);
  assert.equal(r.Contents[0].Size, 'tree/c'.length);
  assert.equal(unquote(r.Contents[0].ETag), md5hex(Buffer.from('tree/c')));
  const all = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'tree' }));
  assert.deepEqual(all.Contents.map((o) => o.Key),
    ['tree/a/1', 'tree/a/2', 'tree/b/x/1', 'tree/c', 'tree/d e+f&g', 'treetop']);
  assert.equal(await (await getBytes({ Key: 'tree/d e+f&g' })).toString(), 'tree/d e+f&g');
});

test('ListObjectsV2 pagination: 45 keys in pages of 7', async () => {
  const want = [];
  for (let i = 0; i < 45; i++) want.push(`page/k${String(i).padStart(3, '0')}`);
  await Promise.all(want.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))));
  const got = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 7 }, { Bucket, Prefix: 'page/' })) {
    pages++;
    assert.ok((page.Contents ?? []).length <= 7);
    got.push(...(page.Contents ?? []).map((o) => o.Key));
  }
  assert.equal(pages, 7);
  assert.deepEqual(got, want, 'every key once, in order');
  const sa = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'page/', StartAfter: 'page/k040' }));
  assert.deepEqual(sa.Contents.map((o) => o.Key), want.slice(41));
});

test('CopyObject: COPY and REPLACE metadata, then the copy reads back identical', async () => {
  const src = await getBytes({ Key: 'small/one.bin' });
  await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy/same', CopySource: `${Bucket}/small/one.bin` }));
  let h = await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy/same' }));
  assert.equal(h.Metadata.colour, 'blue', 'metadata copied');
  assert.equal(h.ContentType, 'application/x-test');
  await s3.send(new CopyObjectCommand({
    Bucket, Key: 'copy/replaced', CopySource: `${Bucket}/small/one.bin`,
    MetadataDirective: 'REPLACE', Metadata: { colour: 'red' }, ContentType: 'text/plain',
  }));
  h = await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy/replaced' }));
  assert.equal(h.Metadata.colour, 'red');
  assert.equal(h.ContentType, 'text/plain');
  assert.ok((await getBytes({ Key: 'copy/same' })).equals(src));
  assert.ok((await getBytes({ Key: 'copy/replaced' })).equals(src));
  // a key that needs URL-encoding in x-amz-copy-source
  await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy/odd', CopySource: `${Bucket}/${encodeURIComponent('tree/d e+f&g')}` }));
  assert.equal((await getBytes({ Key: 'copy/odd' })).toString(), 'tree/d e+f&g');
});

test('DeleteObject and DeleteObjects; deleted keys are gone', async () => {
  await s3.send(new DeleteObjectCommand({ Bucket, Key: 'copy/same' }));
  const e = await rejection(s3.send(new GetObjectCommand({ Bucket, Key: 'copy/same' })));
  assert.equal(e.name, 'NoSuchKey');
  assert.equal(e.$metadata.httpStatusCode, 404);
  const keys = ['page/k000', 'page/k001', 'page/k002', 'no/such/key'];
  const r = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  assert.deepEqual((r.Deleted ?? []).map((d) => d.Key).sort(), keys.slice().sort(), 'S3 reports a missing key deleted too');
  assert.equal((r.Errors ?? []).length, 0);
  const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'page/' }));
  assert.equal(left.KeyCount, 42);
  assert.equal(left.Contents[0].Key, 'page/k003');
});

test('presigned GET URL works with fetch; expired or tampered ones are refused', async () => {
  const body = await getBytes({ Key: 'small/one.bin' });
  const signed = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'small/one.bin' }), { expiresIn: 300 });
  assert.match(signed, /X-Amz-Signature=[0-9a-f]{64}/);
  let res = await fetch(signed);
  assert.equal(res.status, 200);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(body));
  const tampered = signed.replace(/X-Amz-Signature=([0-9a-f])/, (m, c) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
  res = await fetch(tampered);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  const short = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'small/one.bin' }), { expiresIn: 1 });
  await new Promise((r) => setTimeout(r, 2100));
  res = await fetch(short);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /<Code>AccessDenied<\/Code>[\s\S]*expired/i);
});

test('presigned PUT: the x-amz-checksum-crc32 signed into the URL is enforced', async () => {
  const body = random(54321);
  // the SDK's default presigned PutObject carries the CRC32 of an empty body
  // (no Body at signing time): S3 refuses any other body, and so must holdfast
  const dflt = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'presigned/default' }), { expiresIn: 300 });
  assert.match(dflt, /[?&]x-amz-checksum-crc32=AAAAAA%3D%3D(&|$)/);
  let res = await fetch(dflt, { method: 'PUT', body });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /<Code>BadDigest<\/Code>/);
  const e = await rejection(s3.send(new HeadObjectCommand({ Bucket, Key: 'presigned/default' })));
  assert.equal(e.$metadata.httpStatusCode, 404, 'a refused body stores nothing');
  res = await fetch(dflt, { method: 'PUT', body: Buffer.alloc(0) });
  assert.equal(res.status, 200, 'the empty body it was signed for is taken');
  // the body's own CRC32 signed in: taken
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  const mine = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'presigned/crc', ChecksumCRC32: crc.toString('base64') }),
    { expiresIn: 300 });
  res = await fetch(mine, { method: 'PUT', body });
  assert.equal(res.status, 200, await res.text());
  assert.ok((await getBytes({ Key: 'presigned/crc' })).equals(body));
  // requestChecksumCalculation WHEN_REQUIRED: no checksum in the URL, any body
  const plain = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: alice, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const u = await getSignedUrl(plain, new PutObjectCommand({ Bucket, Key: 'presigned/plain' }), { expiresIn: 300 });
  assert.doesNotMatch(u, /x-amz-checksum-/);
  res = await fetch(u, { method: 'PUT', body });
  assert.equal(res.status, 200);
  assert.ok((await getBytes({ Key: 'presigned/plain' })).equals(body));
});

test('versioning: versions kept, old ones readable, delete marker and its removal', async () => {
  const VB = 'jsaws-versioned';
  await s3.send(new CreateBucketCommand({ Bucket: VB }));
  let v = await s3.send(new GetBucketVersioningCommand({ Bucket: VB }));
  assert.equal(v.Status, undefined, 'a new bucket is unversioned');
  await s3.send(new PutBucketVersioningCommand({ Bucket: VB, VersioningConfiguration: { Status: 'Enabled' } }));
  v = await s3.send(new GetBucketVersioningCommand({ Bucket: VB }));
  assert.equal(v.Status, 'Enabled');
  const p1 = await s3.send(new PutObjectCommand({ Bucket: VB, Key: 'doc', Body: 'first' }));
  const p2 = await s3.send(new PutObjectCommand({ Bucket: VB, Key: 'doc', Body: 'second' }));
  assert.ok(p1.VersionId && p2.VersionId && p1.VersionId !== p2.VersionId, 'two distinct version ids');
  const cur = await s3.send(new GetObjectCommand({ Bucket: VB, Key: 'doc' }));
  assert.equal(cur.VersionId, p2.VersionId);
  assert.equal((await collect(cur.Body)).toString(), 'second');
  const old = await s3.send(new GetObjectCommand({ Bucket: VB, Key: 'doc', VersionId: p1.VersionId }));
  assert.equal((await collect(old.Body)).toString(), 'first');
  const del = await s3.send(new DeleteObjectCommand({ Bucket: VB, Key: 'doc' }));
  assert.equal(del.DeleteMarker, true);
  assert.ok(del.VersionId, 'the delete marker has a version id');
  const e = await rejection(s3.send(new GetObjectCommand({ Bucket: VB, Key: 'doc' })));
  assert.equal(e.name, 'NoSuchKey');
  const lv = await s3.send(new ListObjectVersionsCommand({ Bucket: VB }));
  assert.deepEqual(lv.Versions.map((x) => [x.VersionId, x.IsLatest]), [[p2.VersionId, false], [p1.VersionId, false]]);
  assert.deepEqual(lv.DeleteMarkers.map((x) => [x.Key, x.VersionId, x.IsLatest]), [['doc', del.VersionId, true]]);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: VB }));
  assert.equal(listed.KeyCount, 0, 'a deleted key is not listed');
  await s3.send(new DeleteObjectCommand({ Bucket: VB, Key: 'doc', VersionId: del.VersionId }));
  assert.equal((await collect((await s3.send(new GetObjectCommand({ Bucket: VB, Key: 'doc' }))).Body)).toString(), 'second',
    'removing the marker brings the newest version back');
});

test("another user cannot read alice's bucket; a wrong secret is refused", async () => {
  const b = client(bob);
  let e = await rejection(b.send(new GetObjectCommand({ Bucket, Key: 'small/one.bin' })));
  assert.equal(e.$metadata.httpStatusCode, 403);
  assert.equal(e.name, 'AccessDenied');
  e = await rejection(b.send(new ListObjectsV2Command({ Bucket })));
  assert.equal(e.name, 'AccessDenied');
  const wrong = client({ ...alice, secretAccessKey: alice.secretAccessKey + 'x' });
  e = await rejection(wrong.send(new ListBucketsCommand({})));
  assert.equal(e.$metadata.httpStatusCode, 403);
  assert.equal(e.name, 'SignatureDoesNotMatch');
});
