/*
 * test_s3xml.c — unit tests for the S3 XML layer (s3/xml.h).
 *
 * Writer: the escaper (markup, control characters, ]]> and quotes,
 * non-ASCII, broken UTF-8) and its round trip through libxml2, the url
 * encoding of keys, times, the buffer cap, and every document builder
 * against a literal taken from the AWS S3 API reference examples.  The
 * examples are adapted: the indentation is removed (S3 and holdfast write
 * no white space between elements), quotes in text are written &quot; as
 * S3 itself sends them, and values are kept where the example is complete.
 *
 * Parsers: the AWS example bodies with and without the namespace, then
 * hostile bodies: DOCTYPE with entities (billion laughs), external
 * entities and DTDs, oversized bodies, 1001 Delete objects, deep nesting,
 * invalid UTF-8, truncated XML, wrong roots, and bad values.
 *
 * libxml2's global state is released once, at exit (xmlCleanupParser).
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "s3/xml.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define Q "&quot;"

/* ns since the epoch of a UTC date, from libc (an oracle for the writer). */
static int64_t at(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = { 0 };

    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm) * 1000000000;
}

/* Finish @b and compare with @want; frees the document. */
static void expect_doc(struct s3xml_buf *b, const char *want)
{
    char *doc = NULL;
    size_t len = 0;

    assert_int_equal(s3xml_buf_finish(b, &doc, &len), HF_OK);
    assert_non_null(doc);
    assert_string_equal(doc, want);
    assert_int_equal(len, strlen(want));
    free(doc);
}

/* The escaped form of @n bytes of @s. */
static char *escaped(const char *s, size_t n)
{
    struct s3xml_buf b;
    char *out;
    size_t len;

    s3xml_buf_init(&b, 0);
    s3xml_text(&b, s, n);
    assert_int_equal(s3xml_buf_finish(&b, &out, &len), HF_OK);
    return out;
}

#define ESC(lit, want)                                                   \
    do {                                                                 \
        char *e_ = escaped(lit, sizeof(lit) - 1);                        \
        assert_string_equal(e_, want);                                   \
        free(e_);                                                        \
    } while (0)

/* ================================================================== */
/* Escaping and encoding                                               */
/* ================================================================== */

static void test_escape_markup(void **state)
{
    (void)state;
    ESC("plain/key.txt", "plain/key.txt");
    ESC("", "");
    ESC("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    ESC("&amp;", "&amp;amp;");
    /* a key with ]]> and both quotes: nothing can close a section or attribute */
    ESC("x]]>y\"z'", "x]]&gt;y&quot;z&apos;");
    ESC("<![CDATA[", "&lt;![CDATA[");
}

static void test_escape_controls(void **state)
{
    (void)state;
    /* tab, LF and CR as references, so that no parser normalises them */
    ESC("a\tb\nc\rd", "a&#9;b&#10;c&#13;d");
    /* the characters XML 1.0 has no place for: references, as S3 writes them */
    ESC("\x01\x08\x0b\x0c\x1f", "&#1;&#8;&#11;&#12;&#31;");
    /* NUL has no spelling at all: U+FFFD */
    {
        char *e = escaped("a\0b", 3);
        assert_string_equal(e, "a\xef\xbf\xbd" "b");
        free(e);
    }
    /* DEL and C1 controls are XML 1.0 characters */
    ESC("\x7f\xc2\x80\xc2\x9f", "\x7f\xc2\x80\xc2\x9f");
}

static void test_escape_non_ascii(void **state)
{
    (void)state;
    ESC("caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80",
        "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80");
    /* U+FFFD and U+FFFC are fine, U+FFFE and U+FFFF are not characters */
    ESC("\xef\xbf\xbd\xef\xbf\xbc", "\xef\xbf\xbd\xef\xbf\xbc");
    ESC("\xef\xbf\xbe-\xef\xbf\xbf", "&#65534;-&#65535;");
    /* broken UTF-8, one U+FFFD per byte: lone continuation, overlong,
     * surrogate, truncated sequence, 0xff */
    ESC("\x80", "\xef\xbf\xbd");
    ESC("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
    ESC("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    ESC("a\xe2\x82", "a\xef\xbf\xbd\xef\xbf\xbd");
    ESC("\xff<", "\xef\xbf\xbd&lt;");
    ESC("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

/* Parse <a>escaped</a> with libxml2 and check the text is @s again. */
static void round_trip(const char *s, size_t n)
{
    struct s3xml_buf b;
    char *doc;
    size_t len;
    xmlDocPtr x;
    xmlChar *content;

    s3xml_buf_init(&b, 0);
    s3xml_elem(&b, "a", s, n, false);
    assert_int_equal(s3xml_buf_finish(&b, &doc, &len), HF_OK);
    x = xmlReadMemory(doc, (int)len, NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR);
    if (!x)
        fail_msg("libxml2 rejected %s", doc);
    content = xmlNodeGetContent(xmlDocGetRootElement(x));
    assert_non_null(content);
    assert_int_equal(strlen((const char *)content), n);
    assert_memory_equal(content, s, n);
    xmlFree(content);
    xmlFreeDoc(x);
    free(doc);
}

static void test_escape_round_trip(void **state)
{
    static const char *samples[] = {
        "a&b<c>d\"e'f",
        "x]]>y",
        "line1\nline2\r\nline3\rtab\t",
        "  leading and trailing  ",
        "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \xef\xbf\xbd",
        "&#13; &lt; literally",
    };
    uint32_t seed = 12345;

    (void)state;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
        round_trip(samples[i], strlen(samples[i]));

    /* random strings of XML 1.0 characters, as UTF-8 */
    for (int t = 0; t < 300; t++) {
        char s[512];
        size_t n = 0;
        while (n < sizeof(s) - 8) {
            uint32_t cp;
            seed = seed * 1103515245u + 12345u;
            switch ((seed >> 16) % 4) {
            case 0: cp = 0x20 + (seed >> 8) % 0x5f; break;
            case 1: cp = "\t\n\r&<>\"'"[(seed >> 8) % 8]; break;
            case 2: cp = 0x80 + (seed >> 4) % 0xd780; break;        /* below surrogates */
            default: cp = 0xe000 + (seed >> 4) % 0x101ff0; break;
            }
            if (cp >= 0xfffe && cp <= 0xffff)
                continue;
            if (cp >= 0x110000)
                cp = 0x10fff0;
            if (cp < 0x80) {
                s[n++] = (char)cp;
            } else if (cp < 0x800) {
                s[n++] = (char)(0xc0 | cp >> 6);
                s[n++] = (char)(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                s[n++] = (char)(0xe0 | cp >> 12);
                s[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
                s[n++] = (char)(0x80 | (cp & 0x3f));
            } else {
                s[n++] = (char)(0xf0 | cp >> 18);
                s[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
                s[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
                s[n++] = (char)(0x80 | (cp & 0x3f));
            }
            if ((seed >> 24) % 64 == 0)
                break;
        }
        round_trip(s, n);
    }
}

static char *url(const char *s, size_t n)
{
    char *out = malloc(3 * n + 1);
    size_t len;

    assert_non_null(out);
    len = s3xml_url_encode(s, n, out);
    assert_int_equal(len, strlen(out));
    return out;
}

#define URL(lit, want)                                                   \
    do {                                                                 \
        char *u_ = url(lit, sizeof(lit) - 1);                            \
        assert_string_equal(u_, want);                                   \
        free(u_);                                                        \
    } while (0)

static void test_url_encode(void **state)
{
    struct s3xml_buf b;

    (void)state;
    /* the API reference's example */
    URL("test_file(3).png", "test_file%283%29.png");
    URL("photos/2006/January/sample.jpg", "photos/2006/January/sample.jpg");
    URL("AZaz09-._~/", "AZaz09-._~/");
    /* space and plus are distinct whichever way a client decodes */
    URL("a b+c", "a%20b%2Bc");
    URL("caf\xc3\xa9", "caf%C3%A9");
    URL("\x01\t\n\r\x7f", "%01%09%0A%0D%7F");
    URL("&<>\"'*%=?#", "%26%3C%3E%22%27%2A%25%3D%3F%23");
    {
        char *u = url("a\0b\xff", 4);
        assert_string_equal(u, "a%00b%FF");
        free(u);
    }
    URL("", "");

    /* inside an element: never escaped twice */
    s3xml_buf_init(&b, 0);
    s3xml_elem(&b, "Key", "a&b c\x01", 6, true);
    expect_doc(&b, "<Key>a%26b%20c%01</Key>");
}

static void test_time_format(void **state)
{
    char out[S3XML_TIME_MAX];

    (void)state;
    assert_int_equal(s3xml_format_time(at(2006, 2, 3, 16, 45, 9), out), 24);
    assert_string_equal(out, "2006-02-03T16:45:09.000Z");
    assert_int_equal(s3xml_format_time(0, out), 24);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    /* milliseconds are floored */
    s3xml_format_time(at(2009, 10, 12, 17, 50, 30) + 123999999, out);
    assert_string_equal(out, "2009-10-12T17:50:30.123Z");
    s3xml_format_time(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    s3xml_format_time(at(2000, 2, 29, 23, 59, 59), out);
    assert_string_equal(out, "2000-02-29T23:59:59.000Z");
    s3xml_format_time(INT64_MAX, out);
    assert_string_equal(out, "2262-04-11T23:47:16.854Z");
    s3xml_format_time(INT64_MIN, out);
    assert_string_equal(out, "1677-09-21T00:12:43.145Z");
}

static void test_buf_cap(void **state)
{
    struct s3xml_buf b;
    char big[300];
    char *doc = (char *)1;
    size_t len = 1;

    (void)state;
    memset(big, 'x', sizeof(big));
    s3xml_buf_init(&b, 100);
    s3xml_raw(&b, big, 100);            /* exactly the cap */
    assert_int_equal(s3xml_buf_err(&b), HF_OK);
    assert_int_equal(b.len, 100);
    s3xml_raw(&b, "y", 1);              /* one more byte */
    assert_int_equal(s3xml_buf_err(&b), HF_ENOMEM);
    assert_int_equal(b.len, 100);
    s3xml_text(&b, "zzz", 3);           /* sticky: nothing is written after */
    assert_int_equal(b.len, 100);
    assert_int_equal(s3xml_buf_finish(&b, &doc, &len), HF_ENOMEM);
    assert_null(doc);
    assert_int_equal(len, 0);
    assert_null(b.data);

    /* an escape that does not fit fails as a whole */
    s3xml_buf_init(&b, 10);
    s3xml_text(&b, "<<<", 3);           /* 12 bytes escaped */
    assert_int_equal(s3xml_buf_err(&b), HF_ENOMEM);
    s3xml_buf_release(&b);

    /* reset clears the error and keeps going */
    s3xml_buf_init(&b, 0);
    assert_int_equal(b.max, S3XML_OUT_MAX);
    s3xml_raw(&b, "abc", 3);
    s3xml_buf_reset(&b);
    s3xml_raw(&b, "de", 2);
    expect_doc(&b, "de");
    /* an empty buffer still finishes into a string */
    s3xml_buf_init(&b, 0);
    expect_doc(&b, "");
    s3xml_buf_release(NULL);
}

static void test_buf_64mib(void **state)
{
    struct s3xml_buf b;
    char *chunk = malloc(1 << 20);

    (void)state;
    assert_non_null(chunk);
    memset(chunk, 'k', 1 << 20);
    s3xml_buf_init(&b, 0);
    for (int i = 0; i < 64; i++)
        s3xml_raw(&b, chunk, 1 << 20);
    assert_int_equal(s3xml_buf_err(&b), HF_OK);
    assert_int_equal(b.len, S3XML_OUT_MAX);
    s3xml_raw(&b, "k", 1);
    assert_int_equal(s3xml_buf_err(&b), HF_ENOMEM);
    s3xml_buf_release(&b);
    free(chunk);
}

/* ================================================================== */
/* Documents                                                           */
/* ================================================================== */

static void test_error_doc(void **state)
{
    struct s3xml_buf b;
    struct s3xml_error_doc e = {
        .code = "NoSuchKey",
        .message = "The resource you requested does not exist",
        .resource = "/mybucket/myfoto.jpg",
        .request_id = "4442587FB7D0A2F9",
    };
    struct s3xml_error_doc m = {
        .code = "MalformedXML",
        .message = "The XML you provided was not well-formed or did not validate against our "
                   "published schema",
        .request_id = "264A17BF16E9E80A",
        .host_id = "P3xqrhuhYxlrefdw3rEzmJh8z5KDtGzb+/FB7oiQaScI9Yaxd8olYXc7d1111ab+",
    };
    struct s3xml_field extra[] = { { "MaxSizeAllowed", "5368709120" },
                                   { "ProposedSize", "5368709121" } };
    struct s3xml_error_doc x = {
        .code = "EntityTooLarge",
        .message = "Your proposed upload exceeds the maximum allowed size",
        .bucket_name = "b",
        .key = "a<b>\x01",
        .key_len = 5,
        .version_id = "v1",
        .argument_name = "partNumber",
        .argument_value = "0&1",
        .extra = extra,
        .nextra = 2,
        .resource = "/b/a",
        .request_id = "R",
        .host_id = "H",
    };

    (void)state;
    /* ErrorResponses: the sample error */
    s3xml_buf_init(&b, 0);
    s3xml_error(&b, &e);
    expect_doc(&b, DECL "<Error><Code>NoSuchKey</Code>"
                        "<Message>The resource you requested does not exist</Message>"
                        "<Resource>/mybucket/myfoto.jpg</Resource>"
                        "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
    /* DeleteObjects: malformed XML in the request */
    s3xml_buf_init(&b, 0);
    s3xml_error(&b, &m);
    expect_doc(&b, DECL "<Error><Code>MalformedXML</Code><Message>The XML you provided was not "
                        "well-formed or did not validate against our published schema</Message>"
                        "<RequestId>264A17BF16E9E80A</RequestId>"
                        "<HostId>P3xqrhuhYxlrefdw3rEzmJh8z5KDtGzb+/FB7oiQaScI9Yaxd8olYXc7d1111ab+"
                        "</HostId></Error>");
    /* every optional field, in order, escaped */
    s3xml_buf_init(&b, 0);
    s3xml_error(&b, &x);
    expect_doc(&b, DECL "<Error><Code>EntityTooLarge</Code>"
                        "<Message>Your proposed upload exceeds the maximum allowed size</Message>"
                        "<BucketName>b</BucketName><Key>a&lt;b&gt;&#1;</Key>"
                        "<VersionId>v1</VersionId><ArgumentName>partNumber</ArgumentName>"
                        "<ArgumentValue>0&amp;1</ArgumentValue>"
                        "<MaxSizeAllowed>5368709120</MaxSizeAllowed>"
                        "<ProposedSize>5368709121</ProposedSize>"
                        "<Resource>/b/a</Resource><RequestId>R</RequestId><HostId>H</HostId>"
                        "</Error>");
}

static void test_list_buckets(void **state)
{
    struct s3xml_buf b;
    struct s3xml_owner o = { "AIDACKCEVSQ6C2EXAMPLE", NULL };
    struct s3xml_owner od = { "bcaf1ffd86f461ca5fb16fd081034f", "webfile" };

    (void)state;
    /* ListBuckets example 1 (times with milliseconds) */
    s3xml_buf_init(&b, 0);
    s3xml_buckets_begin(&b);
    s3xml_buckets_entry(&b, "amzn-s3-demo-bucket", at(2019, 12, 11, 23, 32, 47));
    s3xml_buckets_entry(&b, "amzn-s3-demo-bucket1", at(2019, 11, 10, 23, 32, 13));
    s3xml_buckets_end(&b, &o, NULL, NULL);
    expect_doc(&b, DECL "<ListAllMyBucketsResult" NS "><Buckets>"
                        "<Bucket><CreationDate>2019-12-11T23:32:47.000Z</CreationDate>"
                        "<Name>amzn-s3-demo-bucket</Name></Bucket>"
                        "<Bucket><CreationDate>2019-11-10T23:32:13.000Z</CreationDate>"
                        "<Name>amzn-s3-demo-bucket1</Name></Bucket>"
                        "</Buckets><Owner><ID>AIDACKCEVSQ6C2EXAMPLE</ID></Owner>"
                        "</ListAllMyBucketsResult>");
    /* no bucket; owner with a display name; paginated */
    s3xml_buf_init(&b, 0);
    s3xml_buckets_begin(&b);
    s3xml_buckets_entry(&b, "quotes", at(2006, 2, 3, 16, 45, 9));
    s3xml_buckets_end(&b, &od, "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==", "q");
    expect_doc(&b, DECL "<ListAllMyBucketsResult" NS "><Buckets>"
                        "<Bucket><CreationDate>2006-02-03T16:45:09.000Z</CreationDate>"
                        "<Name>quotes</Name></Bucket></Buckets>"
                        "<Owner><ID>bcaf1ffd86f461ca5fb16fd081034f</ID>"
                        "<DisplayName>webfile</DisplayName></Owner>"
                        "<ContinuationToken>eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAx"
                        "fQ==</ContinuationToken><Prefix>q</Prefix></ListAllMyBucketsResult>");
}

static void test_list_v2(void **state)
{
    struct s3xml_buf b;
    struct s3xml_list_head h = {
        .v2 = true, .bucket = "bucket", .key_count = 205, .max_keys = 1000,
    };
    struct s3xml_object o = {
        .key = "my-image.jpg", .key_len = 12, .mtime_ns = at(2009, 10, 12, 17, 50, 30),
        .etag = "fba9dede5f27731c9771645a39863328", .size = 434234,
    };

    (void)state;
    /* Sample Response: listing keys */
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_object(&b, &h, &o);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>bucket</Name><Prefix></Prefix>"
                        "<KeyCount>205</KeyCount><MaxKeys>1000</MaxKeys>"
                        "<IsTruncated>false</IsTruncated><Contents><Key>my-image.jpg</Key>"
                        "<LastModified>2009-10-12T17:50:30.000Z</LastModified>"
                        "<ETag>" Q "fba9dede5f27731c9771645a39863328" Q "</ETag>"
                        "<Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>"
                        "</ListBucketResult>");

    /* max-keys, prefix and start-after */
    h = (struct s3xml_list_head){ .v2 = true, .bucket = "quotes", .prefix = "E",
                                  .start_after = "ExampleGuide.pdf", .key_count = 1,
                                  .max_keys = 3 };
    o = (struct s3xml_object){ .key = "ExampleObject.txt", .key_len = 17,
                               .mtime_ns = at(2013, 9, 17, 18, 7, 53),
                               .etag = "599bab3ed2c697f1d26842727561fd94", .size = 857,
                               .storage_class = "REDUCED_REDUNDANCY" };
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_object(&b, &h, &o);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>quotes</Name><Prefix>E</Prefix>"
                        "<StartAfter>ExampleGuide.pdf</StartAfter><KeyCount>1</KeyCount>"
                        "<MaxKeys>3</MaxKeys><IsTruncated>false</IsTruncated>"
                        "<Contents><Key>ExampleObject.txt</Key>"
                        "<LastModified>2013-09-17T18:07:53.000Z</LastModified>"
                        "<ETag>" Q "599bab3ed2c697f1d26842727561fd94" Q "</ETag><Size>857</Size>"
                        "<StorageClass>REDUCED_REDUNDANCY</StorageClass></Contents>"
                        "</ListBucketResult>");

    /* prefix and delimiter */
    h = (struct s3xml_list_head){ .v2 = true, .bucket = "example-bucket", .prefix = "",
                                  .delimiter = "/", .key_count = 2, .max_keys = 1000 };
    o = (struct s3xml_object){ .key = "sample.jpg", .key_len = 10,
                               .mtime_ns = at(2011, 2, 26, 1, 56, 20),
                               .etag = "bf1d737a4d46a19f3bced6905cc8b902", .size = 142863 };
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_object(&b, &h, &o);
    s3xml_list_prefix(&b, &h, "photos/", 7);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>example-bucket</Name><Prefix></Prefix>"
                        "<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>"
                        "<IsTruncated>false</IsTruncated><Contents><Key>sample.jpg</Key>"
                        "<LastModified>2011-02-26T01:56:20.000Z</LastModified>"
                        "<ETag>" Q "bf1d737a4d46a19f3bced6905cc8b902" Q "</ETag>"
                        "<Size>142863</Size><StorageClass>STANDARD</StorageClass></Contents>"
                        "<CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes>"
                        "</ListBucketResult>");

    /* a continuation token, then the next page */
    h = (struct s3xml_list_head){
        .v2 = true, .bucket = "bucket", .prefix = "", .key_count = 1000, .max_keys = 1000,
        .is_truncated = true,
        .next_continuation_token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" };
    o = (struct s3xml_object){ .key = "happyface.jpg", .key_len = 13,
                               .mtime_ns = at(2014, 11, 21, 19, 40, 5),
                               .etag = "70ee1738b6b21e2c8a43f3a5ab0eee71", .size = 11 };
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_object(&b, &h, &o);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>bucket</Name><Prefix></Prefix>"
                        "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
                        "</NextContinuationToken><KeyCount>1000</KeyCount>"
                        "<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
                        "<Contents><Key>happyface.jpg</Key>"
                        "<LastModified>2014-11-21T19:40:05.000Z</LastModified>"
                        "<ETag>" Q "70ee1738b6b21e2c8a43f3a5ab0eee71" Q "</ETag><Size>11</Size>"
                        "<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>");
    h.is_truncated = false;
    h.next_continuation_token = NULL;
    h.continuation_token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=";
    h.key_count = 112;
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>bucket</Name><Prefix></Prefix>"
                        "<ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
                        "</ContinuationToken><KeyCount>112</KeyCount><MaxKeys>1000</MaxKeys>"
                        "<IsTruncated>false</IsTruncated></ListBucketResult>");
}

static void test_list_v2_url(void **state)
{
    struct s3xml_buf b;
    struct s3xml_list_head h = { .v2 = true, .url_encode = true, .bucket = "b",
                                 .prefix = "a b/", .delimiter = "/", .start_after = "a b/\x01",
                                 .key_count = 2, .max_keys = 2 };
    struct s3xml_owner own = { "id&1", "n" };
    struct s3xml_object o = { .key = "a b/c\x01+", .key_len = 7, .mtime_ns = 0,
                              .etag = "e", .size = 0, .owner = &own };

    (void)state;
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_object(&b, &h, &o);
    s3xml_list_prefix(&b, &h, "a b/d e/", 8);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>b</Name><Prefix>a%20b/</Prefix>"
                        "<StartAfter>a%20b/%01</StartAfter><KeyCount>2</KeyCount>"
                        "<MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>"
                        "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
                        "<Contents><Key>a%20b/c%01%2B</Key>"
                        "<LastModified>1970-01-01T00:00:00.000Z</LastModified>"
                        "<ETag>" Q "e" Q "</ETag><Size>0</Size><StorageClass>STANDARD"
                        "</StorageClass><Owner><ID>id&amp;1</ID><DisplayName>n</DisplayName>"
                        "</Owner></Contents><CommonPrefixes><Prefix>a%20b/d%20e/</Prefix>"
                        "</CommonPrefixes></ListBucketResult>");
}

static void test_list_v1(void **state)
{
    struct s3xml_buf b;
    struct s3xml_list_head h = { .bucket = "quotes", .prefix = "N", .marker = "Ned",
                                 .max_keys = 40 };
    struct s3xml_owner o1 = { "bcaf161ca5fb16fd081034f", NULL };
    struct s3xml_owner o2 = { "bcaf1ffd86a5fb16fd081034f", NULL };
    struct s3xml_object a = { .key = "Nelson", .key_len = 6,
                              .mtime_ns = at(2006, 1, 1, 12, 0, 0),
                              .etag = "828ef3fdfa96f00ad9f27c383fc9ac7f", .size = 5,
                              .owner = &o1 };
    struct s3xml_object n = a;

    (void)state;
    n.key = "Neo";
    n.key_len = 3;
    n.size = 4;
    n.owner = &o2;
    /* ListObjects: using request parameters */
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_object(&b, &h, &a);
    s3xml_list_object(&b, &h, &n);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>quotes</Name><Prefix>N</Prefix>"
                        "<Marker>Ned</Marker><MaxKeys>40</MaxKeys><IsTruncated>false</IsTruncated>"
                        "<Contents><Key>Nelson</Key>"
                        "<LastModified>2006-01-01T12:00:00.000Z</LastModified>"
                        "<ETag>" Q "828ef3fdfa96f00ad9f27c383fc9ac7f" Q "</ETag><Size>5</Size>"
                        "<StorageClass>STANDARD</StorageClass>"
                        "<Owner><ID>bcaf161ca5fb16fd081034f</ID></Owner></Contents>"
                        "<Contents><Key>Neo</Key>"
                        "<LastModified>2006-01-01T12:00:00.000Z</LastModified>"
                        "<ETag>" Q "828ef3fdfa96f00ad9f27c383fc9ac7f" Q "</ETag><Size>4</Size>"
                        "<StorageClass>STANDARD</StorageClass>"
                        "<Owner><ID>bcaf1ffd86a5fb16fd081034f</ID></Owner></Contents>"
                        "</ListBucketResult>");

    /* prefix and delimiter, no marker given, truncated with NextMarker */
    h = (struct s3xml_list_head){ .bucket = "example-bucket", .prefix = "photos/2006/",
                                  .delimiter = "/", .max_keys = 1000, .is_truncated = true,
                                  .next_marker = "photos/2006/January/" };
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    s3xml_list_prefix(&b, &h, "photos/2006/February/", 21);
    s3xml_list_prefix(&b, &h, "photos/2006/January/", 20);
    s3xml_list_end(&b);
    expect_doc(&b, DECL "<ListBucketResult" NS "><Name>example-bucket</Name>"
                        "<Prefix>photos/2006/</Prefix><Marker></Marker>"
                        "<NextMarker>photos/2006/January/</NextMarker><MaxKeys>1000</MaxKeys>"
                        "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
                        "<CommonPrefixes><Prefix>photos/2006/February/</Prefix></CommonPrefixes>"
                        "<CommonPrefixes><Prefix>photos/2006/January/</Prefix></CommonPrefixes>"
                        "</ListBucketResult>");
}

static void test_list_versions(void **state)
{
    struct s3xml_buf b;
    struct s3xml_owner o = { "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
                             NULL };
    struct s3xml_versions_head h = { .bucket = "bucket", .prefix = "my", .max_keys = 5 };
    struct s3xml_version v = {
        .key = "my-image.jpg", .key_len = 12, .version_id = "3/L4kqtJl40Nr8X8gdRQBpUMLUo",
        .is_latest = true, .mtime_ns = at(2009, 10, 12, 17, 50, 30),
        .etag = "fba9dede5f27731c9771645a39863328", .size = 434234, .owner = &o,
    };
    struct s3xml_version dm = {
        .key = "my-second-image.jpg", .key_len = 19,
        .version_id = "03jpff543dhffds434rfdsFDN943fdsFkdmqnh892", .is_latest = true,
        .delete_marker = true, .mtime_ns = at(2009, 11, 12, 17, 50, 30), .owner = &o,
        .etag = "ignored", .size = 99,
    };

    (void)state;
    /* ListObjectVersions: the first sample response */
    s3xml_buf_init(&b, 0);
    s3xml_versions_begin(&b, &h);
    s3xml_versions_entry(&b, &h, &v);
    s3xml_versions_entry(&b, &h, &dm);
    s3xml_versions_end(&b);
    expect_doc(&b, DECL "<ListVersionsResult" NS "><Name>bucket</Name><Prefix>my</Prefix>"
                        "<KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker>"
                        "<MaxKeys>5</MaxKeys><IsTruncated>false</IsTruncated>"
                        "<Version><Key>my-image.jpg</Key>"
                        "<VersionId>3/L4kqtJl40Nr8X8gdRQBpUMLUo</VersionId>"
                        "<IsLatest>true</IsLatest>"
                        "<LastModified>2009-10-12T17:50:30.000Z</LastModified>"
                        "<ETag>" Q "fba9dede5f27731c9771645a39863328" Q "</ETag>"
                        "<Size>434234</Size><StorageClass>STANDARD</StorageClass>"
                        "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
                        "</ID></Owner></Version>"
                        "<DeleteMarker><Key>my-second-image.jpg</Key>"
                        "<VersionId>03jpff543dhffds434rfdsFDN943fdsFkdmqnh892</VersionId>"
                        "<IsLatest>true</IsLatest>"
                        "<LastModified>2009-11-12T17:50:30.000Z</LastModified>"
                        "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
                        "</ID></Owner></DeleteMarker></ListVersionsResult>");

    /* the truncated sample (key-marker, version-id-marker, max-keys=3) */
    h = (struct s3xml_versions_head){ .bucket = "mtp-versioning-fresh", .prefix = "",
                                      .key_marker = "key3", .version_id_marker = "null",
                                      .next_key_marker = "key3",
                                      .next_version_id_marker = "d-d309mfjFrUmoQ0DBsVqmcMV15OI.",
                                      .max_keys = 3, .is_truncated = true };
    v = (struct s3xml_version){ .key = "key3", .key_len = 4,
                                .version_id = "8XECiENpj8pydEDJdd-_VRrvaGKAHOaGMNW7tg6UViI.",
                                .mtime_ns = at(2009, 12, 9, 0, 18, 23),
                                .etag = "396fefef536d5ce46c7537ecf978a360", .size = 217 };
    s3xml_buf_init(&b, 0);
    s3xml_versions_begin(&b, &h);
    s3xml_versions_entry(&b, &h, &v);
    s3xml_versions_end(&b);
    expect_doc(&b, DECL "<ListVersionsResult" NS "><Name>mtp-versioning-fresh</Name>"
                        "<Prefix></Prefix><KeyMarker>key3</KeyMarker>"
                        "<VersionIdMarker>null</VersionIdMarker><NextKeyMarker>key3</NextKeyMarker>"
                        "<NextVersionIdMarker>d-d309mfjFrUmoQ0DBsVqmcMV15OI.</NextVersionIdMarker>"
                        "<MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated>"
                        "<Version><Key>key3</Key>"
                        "<VersionId>8XECiENpj8pydEDJdd-_VRrvaGKAHOaGMNW7tg6UViI.</VersionId>"
                        "<IsLatest>false</IsLatest>"
                        "<LastModified>2009-12-09T00:18:23.000Z</LastModified>"
                        "<ETag>" Q "396fefef536d5ce46c7537ecf978a360" Q "</ETag><Size>217</Size>"
                        "<StorageClass>STANDARD</StorageClass></Version></ListVersionsResult>");

    /* url encoding and a delimiter */
    h = (struct s3xml_versions_head){ .url_encode = true, .bucket = "b", .prefix = "p q",
                                      .delimiter = "/", .key_marker = "k m",
                                      .next_key_marker = "n\x01", .max_keys = 1 };
    s3xml_buf_init(&b, 0);
    s3xml_versions_begin(&b, &h);
    s3xml_versions_prefix(&b, &h, "p q/", 4);
    s3xml_versions_end(&b);
    expect_doc(&b, DECL "<ListVersionsResult" NS "><Name>b</Name><Prefix>p%20q</Prefix>"
                        "<KeyMarker>k%20m</KeyMarker><VersionIdMarker></VersionIdMarker>"
                        "<NextKeyMarker>n%01</NextKeyMarker><MaxKeys>1</MaxKeys>"
                        "<Delimiter>/</Delimiter><EncodingType>url</EncodingType>"
                        "<IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>p%20q/"
                        "</Prefix></CommonPrefixes></ListVersionsResult>");
}

static void test_location_and_versioning(void **state)
{
    struct s3xml_buf b;

    (void)state;
    s3xml_buf_init(&b, 0);
    s3xml_location(&b, "EU");
    expect_doc(&b, DECL "<LocationConstraint" NS ">EU</LocationConstraint>");
    s3xml_buf_init(&b, 0);
    s3xml_location(&b, NULL);
    expect_doc(&b, DECL "<LocationConstraint" NS "/>");

    s3xml_buf_init(&b, 0);
    s3xml_versioning(&b, S3XML_VERSIONING_ENABLED, S3XML_MFA_DELETE_UNSET);
    expect_doc(&b, DECL "<VersioningConfiguration" NS "><Status>Enabled</Status>"
                        "</VersioningConfiguration>");
    s3xml_buf_init(&b, 0);
    s3xml_versioning(&b, S3XML_VERSIONING_SUSPENDED, S3XML_MFA_DELETE_DISABLED);
    expect_doc(&b, DECL "<VersioningConfiguration" NS "><Status>Suspended</Status>"
                        "<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>");
    /* never set: the empty element */
    s3xml_buf_init(&b, 0);
    s3xml_versioning(&b, S3XML_VERSIONING_UNSET, S3XML_MFA_DELETE_UNSET);
    expect_doc(&b, DECL "<VersioningConfiguration" NS "/>");
}

static void test_delete_result(void **state)
{
    struct s3xml_buf b;

    (void)state;
    /* mixed success and error */
    s3xml_buf_init(&b, 0);
    s3xml_delete_begin(&b);
    s3xml_delete_deleted(&b, "sample1.txt", 11, NULL, false, NULL);
    s3xml_delete_error(&b, "sample2.txt", 11, NULL, "AccessDenied", "Access Denied");
    s3xml_delete_end(&b);
    expect_doc(&b, DECL "<DeleteResult" NS "><Deleted><Key>sample1.txt</Key></Deleted>"
                        "<Error><Key>sample2.txt</Key><Code>AccessDenied</Code>"
                        "<Message>Access Denied</Message></Error></DeleteResult>");
    /* versioned bucket: a delete marker added; a delete marker removed */
    s3xml_buf_init(&b, 0);
    s3xml_delete_begin(&b);
    s3xml_delete_deleted(&b, "SampleDocument.txt", 18, NULL, true,
                         "NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s");
    s3xml_delete_deleted(&b, "SampleDocument.txt", 18, "NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s", true,
                         "NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s");
    s3xml_delete_error(&b, "k\r", 2, "v", "InvalidArgument", "Invalid version id");
    s3xml_delete_end(&b);
    expect_doc(&b, DECL "<DeleteResult" NS "><Deleted><Key>SampleDocument.txt</Key>"
                        "<DeleteMarker>true</DeleteMarker>"
                        "<DeleteMarkerVersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s"
                        "</DeleteMarkerVersionId></Deleted>"
                        "<Deleted><Key>SampleDocument.txt</Key>"
                        "<VersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s</VersionId>"
                        "<DeleteMarker>true</DeleteMarker>"
                        "<DeleteMarkerVersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s"
                        "</DeleteMarkerVersionId></Deleted>"
                        "<Error><Key>k&#13;</Key><VersionId>v</VersionId>"
                        "<Code>InvalidArgument</Code><Message>Invalid version id</Message>"
                        "</Error></DeleteResult>");
}

static void test_multipart_results(void **state)
{
    struct s3xml_buf b;

    (void)state;
    s3xml_buf_init(&b, 0);
    s3xml_initiate_multipart(&b, "example-bucket", "example-object", 14,
                             "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
    expect_doc(&b, DECL "<InitiateMultipartUploadResult" NS "><Bucket>example-bucket</Bucket>"
                        "<Key>example-object</Key><UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1"
                        "tb3ZpZS5tMnRzIHVwbG9hZA</UploadId></InitiateMultipartUploadResult>");

    s3xml_buf_init(&b, 0);
    s3xml_complete_multipart(&b,
                             "http://amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com/Example-Object",
                             "amzn-s3-demo-bucket", "Example-Object", 14,
                             "3858f62230ac3c915f300c664312c11f-9", NULL);
    expect_doc(&b, DECL "<CompleteMultipartUploadResult" NS "><Location>"
                        "http://amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com/Example-Object"
                        "</Location><Bucket>amzn-s3-demo-bucket</Bucket>"
                        "<Key>Example-Object</Key>"
                        "<ETag>" Q "3858f62230ac3c915f300c664312c11f-9" Q "</ETag>"
                        "</CompleteMultipartUploadResult>");

    /* with the composite checksum (S3's shape: Checksum<ALGO>, then ChecksumType) */
    s3xml_buf_init(&b, 0);
    s3xml_complete_multipart(&b, NULL, "b", "k", 1, "e-2",
                             &(struct s3xml_checksum){ "SHA256", "Ok6C=-2", "COMPOSITE" });
    expect_doc(&b, DECL "<CompleteMultipartUploadResult" NS "><Bucket>b</Bucket><Key>k</Key>"
                        "<ETag>" Q "e-2" Q "</ETag><ChecksumSHA256>Ok6C=-2</ChecksumSHA256>"
                        "<ChecksumType>COMPOSITE</ChecksumType>"
                        "</CompleteMultipartUploadResult>");

    s3xml_buf_init(&b, 0);
    s3xml_copy_object(&b, at(2009, 10, 12, 17, 50, 30), "9b2cf535f27731c974343645a3985328");
    expect_doc(&b, DECL "<CopyObjectResult" NS ">"
                        "<LastModified>2009-10-12T17:50:30.000Z</LastModified>"
                        "<ETag>" Q "9b2cf535f27731c974343645a3985328" Q "</ETag>"
                        "</CopyObjectResult>");
    /* an ETag given already quoted is not quoted twice */
    s3xml_buf_init(&b, 0);
    s3xml_copy_part(&b, at(2011, 4, 11, 20, 34, 56), "\"9b2cf535f27731c974343645a3985328\"");
    expect_doc(&b, DECL "<CopyPartResult" NS ">"
                        "<LastModified>2011-04-11T20:34:56.000Z</LastModified>"
                        "<ETag>" Q "9b2cf535f27731c974343645a3985328" Q "</ETag>"
                        "</CopyPartResult>");
}

static void test_list_parts(void **state)
{
    struct s3xml_buf b;
    struct s3xml_owner ini = {
        "arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx", NULL };
    struct s3xml_owner own = { "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
                               NULL };
    struct s3xml_parts_head h = {
        .bucket = "example-bucket", .key = "example-object", .key_len = 14,
        .upload_id = "XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA",
        .initiator = &ini, .owner = &own, .part_number_marker = 1,
        .next_part_number_marker = 3, .max_parts = 2, .is_truncated = true,
    };

    (void)state;
    s3xml_buf_init(&b, 0);
    s3xml_parts_begin(&b, &h);
    s3xml_parts_entry(&b, 2, at(2010, 11, 10, 20, 48, 34), "7778aef83f66abc1fa1e8477f296d394",
                      10485760, NULL);
    s3xml_parts_entry(&b, 3, at(2010, 11, 10, 20, 48, 33), "aaaa18db4cc2f85cedef654fccc4a4x8",
                      10485760, &(struct s3xml_checksum){ NULL, "ignored", NULL });
    s3xml_parts_end(&b);
    expect_doc(&b, DECL "<ListPartsResult" NS "><Bucket>example-bucket</Bucket>"
                        "<Key>example-object</Key>"
                        "<UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA"
                        "</UploadId><Initiator><ID>arn:aws:iam::111122223333:user/some-user-"
                        "11116a31-17b5-4fb7-9df5-b288870f11xx</ID></Initiator>"
                        "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
                        "</ID></Owner><StorageClass>STANDARD</StorageClass>"
                        "<PartNumberMarker>1</PartNumberMarker>"
                        "<NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts>"
                        "<IsTruncated>true</IsTruncated>"
                        "<Part><PartNumber>2</PartNumber>"
                        "<LastModified>2010-11-10T20:48:34.000Z</LastModified>"
                        "<ETag>" Q "7778aef83f66abc1fa1e8477f296d394" Q "</ETag>"
                        "<Size>10485760</Size></Part>"
                        "<Part><PartNumber>3</PartNumber>"
                        "<LastModified>2010-11-10T20:48:33.000Z</LastModified>"
                        "<ETag>" Q "aaaa18db4cc2f85cedef654fccc4a4x8" Q "</ETag>"
                        "<Size>10485760</Size></Part></ListPartsResult>");

    /* an upload with a checksum algorithm: named in the head, each part's checksum */
    h.checksum_algorithm = "CRC64NVME";
    h.checksum_type = "COMPOSITE";
    h.initiator = h.owner = NULL;
    s3xml_buf_init(&b, 0);
    s3xml_parts_begin(&b, &h);
    s3xml_parts_entry(&b, 2, at(2010, 11, 10, 20, 48, 34), "e", 5,
                      &(struct s3xml_checksum){ "CRC64NVME", "AAAAAAAAAAA=", NULL });
    s3xml_parts_end(&b);
    assert_non_null(b.data);
    assert_non_null(strstr(b.data, "<IsTruncated>true</IsTruncated><ChecksumAlgorithm>CRC64NVME"
                                   "</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType>"));
    assert_non_null(strstr(b.data, "<Size>5</Size><ChecksumCRC64NVME>AAAAAAAAAAA="
                                   "</ChecksumCRC64NVME></Part>"));
    s3xml_buf_release(&b);
}

static void test_list_uploads(void **state)
{
    struct s3xml_buf b;
    struct s3xml_owner ini = {
        "arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de", NULL };
    struct s3xml_owner own = { "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
                               NULL };
    struct s3xml_uploads_head h = {
        .bucket = "bucket", .next_key_marker = "my-movie.m2ts",
        .next_upload_id_marker = "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ",
        .max_uploads = 3, .is_truncated = true,
    };
    struct s3xml_upload u = {
        .key = "my-divisor", .key_len = 10,
        .upload_id = "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw", .initiator = &ini,
        .owner = &own, .initiated_ns = at(2010, 11, 10, 20, 48, 33),
    };

    (void)state;
    s3xml_buf_init(&b, 0);
    s3xml_uploads_begin(&b, &h);
    s3xml_uploads_entry(&b, &h, &u);
    s3xml_uploads_end(&b);
    expect_doc(&b, DECL "<ListMultipartUploadsResult" NS "><Bucket>bucket</Bucket>"
                        "<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
                        "<NextKeyMarker>my-movie.m2ts</NextKeyMarker>"
                        "<NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ"
                        "</NextUploadIdMarker><MaxUploads>3</MaxUploads>"
                        "<IsTruncated>true</IsTruncated>"
                        "<Upload><Key>my-divisor</Key>"
                        "<UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>"
                        "<Initiator><ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-"
                        "9df5-b111111f13de</ID></Initiator>"
                        "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
                        "</ID></Owner><StorageClass>STANDARD</StorageClass>"
                        "<Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>"
                        "</ListMultipartUploadsResult>");

    /* delimiter and prefix */
    h = (struct s3xml_uploads_head){ .bucket = "example-bucket", .next_key_marker = "",
                                     .next_upload_id_marker = "", .delimiter = "/",
                                     .prefix = "photos/2006/", .max_uploads = 1000 };
    s3xml_buf_init(&b, 0);
    s3xml_uploads_begin(&b, &h);
    s3xml_uploads_prefix(&b, &h, "photos/2006/February/", 21);
    s3xml_uploads_prefix(&b, &h, "photos/2006/January/", 20);
    s3xml_uploads_prefix(&b, &h, "photos/2006/March/", 18);
    s3xml_uploads_end(&b);
    expect_doc(&b, DECL "<ListMultipartUploadsResult" NS "><Bucket>example-bucket</Bucket>"
                        "<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
                        "<NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker>"
                        "<Delimiter>/</Delimiter><Prefix>photos/2006/</Prefix>"
                        "<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>"
                        "<CommonPrefixes><Prefix>photos/2006/February/</Prefix></CommonPrefixes>"
                        "<CommonPrefixes><Prefix>photos/2006/January/</Prefix></CommonPrefixes>"
                        "<CommonPrefixes><Prefix>photos/2006/March/</Prefix></CommonPrefixes>"
                        "</ListMultipartUploadsResult>");
}

/* The hot path: 1000 keys, hostile ones included, read back by libxml2. */
static void test_list_1000(void **state)
{
    struct s3xml_buf b;
    struct s3xml_list_head h = { .v2 = true, .bucket = "bench", .key_count = 1000,
                                 .max_keys = 1000 };
    char *doc;
    size_t len, n = 0;
    xmlDocPtr x;

    (void)state;
    s3xml_buf_init(&b, 0);
    s3xml_list_begin(&b, &h);
    for (int i = 0; i < 1000; i++) {
        char key[64];
        struct s3xml_object o = { .key = key, .mtime_ns = (int64_t)i * 1000000007,
                                  .etag = "d41d8cd98f00b204e9800998ecf8427e", .size = (uint64_t)i };
        o.key_len = (size_t)snprintf(key, sizeof(key), "dir/%04d <&>\"' caf\xc3\xa9 ]]>", i);
        s3xml_list_object(&b, &h, &o);
    }
    s3xml_list_end(&b);
    assert_int_equal(s3xml_buf_finish(&b, &doc, &len), HF_OK);
    x = xmlReadMemory(doc, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(x);
    for (xmlNodePtr c = xmlDocGetRootElement(x)->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Contents") == 0) {
            xmlChar *k = xmlNodeGetContent(c->children);
            char want[64];
            snprintf(want, sizeof(want), "dir/%04zu <&>\"' caf\xc3\xa9 ]]>", n);
            assert_string_equal((const char *)k, want);
            xmlFree(k);
            n++;
        }
    }
    assert_int_equal(n, 1000);
    xmlFreeDoc(x);
    free(doc);
}

/* ================================================================== */
/* Parsers: documented bodies                                          */
/* ================================================================== */

#define LEN(s) (sizeof(s) - 1)

static void test_parse_create_bucket(void **state)
{
    static const char ns[] = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                             "2006-03-01/\">\n  <LocationConstraint>Europe</LocationConstraint>\n"
                             "</CreateBucketConfiguration>";
    static const char plain[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                "<CreateBucketConfiguration><LocationConstraint>eu-west-1"
                                "</LocationConstraint></CreateBucketConfiguration>";
    static const char none[] = "<CreateBucketConfiguration/>";
    struct s3xml_create_bucket c;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_create_bucket(ns, LEN(ns), 0, &c, &e), HF_OK);
    assert_null(e.code);
    assert_string_equal(c.location, "Europe");
    s3xml_create_bucket_release(&c);
    assert_null(c.location);
    assert_int_equal(s3xml_parse_create_bucket(plain, LEN(plain), 0, &c, &e), HF_OK);
    assert_string_equal(c.location, "eu-west-1");
    s3xml_create_bucket_release(&c);
    assert_int_equal(s3xml_parse_create_bucket(none, LEN(none), 0, &c, NULL), HF_OK);
    assert_null(c.location);
    s3xml_create_bucket_release(&c);
    s3xml_create_bucket_release(NULL);
}

static void test_parse_versioning(void **state)
{
    static const char en[] = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                             "2006-03-01/\"> \n  <Status>Enabled</Status> \n"
                             "</VersioningConfiguration>";
    static const char su[] = "<VersioningConfiguration><Status>Suspended</Status>"
                             "</VersioningConfiguration>";
    static const char mfa[] = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                              "2006-03-01/\"><Status>Enabled</Status><MfaDelete>Disabled"
                              "</MfaDelete></VersioningConfiguration>";
    static const char empty[] = "<VersioningConfiguration></VersioningConfiguration>";
    static const char bad[] = "<VersioningConfiguration><Status>enabled</Status>"
                              "</VersioningConfiguration>";
    static const char twice[] = "<VersioningConfiguration><Status>Enabled</Status>"
                                "<Status>Suspended</Status></VersioningConfiguration>";
    struct s3xml_versioning_conf v;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_versioning(en, LEN(en), 0, &v, &e), HF_OK);
    assert_int_equal(v.status, S3XML_VERSIONING_ENABLED);
    assert_int_equal(v.mfa_delete, S3XML_MFA_DELETE_UNSET);
    assert_int_equal(s3xml_parse_versioning(su, LEN(su), 0, &v, &e), HF_OK);
    assert_int_equal(v.status, S3XML_VERSIONING_SUSPENDED);
    assert_int_equal(s3xml_parse_versioning(mfa, LEN(mfa), 0, &v, &e), HF_OK);
    assert_int_equal(v.status, S3XML_VERSIONING_ENABLED);
    assert_int_equal(v.mfa_delete, S3XML_MFA_DELETE_DISABLED);
    assert_int_equal(s3xml_parse_versioning(empty, LEN(empty), 0, &v, &e), HF_OK);
    assert_int_equal(v.status, S3XML_VERSIONING_UNSET);
    assert_int_equal(s3xml_parse_versioning(bad, LEN(bad), 0, &v, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    assert_non_null(strstr(e.msg, "Status"));
    assert_int_equal(s3xml_parse_versioning(twice, LEN(twice), 0, &v, &e), HF_EMALFORMED);
    assert_int_equal(v.status, S3XML_VERSIONING_UNSET);
}

static void test_parse_delete(void **state)
{
    /* DeleteObjects: the mixed sample, a versioned delete, and the carriage return */
    static const char mixed[] = "<Delete>\n<Object>\n<Key>sample1.txt</Key>\n</Object>\n"
                                "<Object>\n<Key>sample2.txt</Key>\n</Object>\n</Delete>";
    static const char ver[] = "<Delete>\n  <Object>\n    <Key>SampleDocument.txt</Key>\n"
                              "    <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>\n"
                              "  </Object>\n</Delete>";
    static const char cr[] = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
                             "<Object>\n<Key>/some/prefix/objectwith&#13;carriagereturn</Key>\n"
                             "</Object>\n</Delete>";
    static const char quiet[] = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                                "<Quiet>true</Quiet><Object><Key> spaced key </Key>"
                                "<ETag>\"x\"</ETag><LastModifiedTime>2024-01-01T00:00:00Z"
                                "</LastModifiedTime><Size>3</Size></Object></Delete>";
    static const char prefixed[] = "<s3:Delete xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                                   "<s3:Object><s3:Key>a&amp;b&lt;c&gt;</s3:Key></s3:Object>"
                                   "<s3:Quiet>0</s3:Quiet></s3:Delete>";
    struct s3xml_delete d;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_delete(mixed, LEN(mixed), 0, &d, &e), HF_OK);
    assert_int_equal(d.nobjs, 2);
    assert_false(d.quiet);
    assert_string_equal(d.objs[0].key, "sample1.txt");
    assert_int_equal(d.objs[0].key_len, 11);
    assert_null(d.objs[0].version_id);
    assert_string_equal(d.objs[1].key, "sample2.txt");
    s3xml_delete_release(&d);
    assert_null(d.objs);

    assert_int_equal(s3xml_parse_delete(ver, LEN(ver), 0, &d, &e), HF_OK);
    assert_int_equal(d.nobjs, 1);
    assert_string_equal(d.objs[0].version_id, "OYcLXagmS.WaD..oyH4KRguB95_YhLs7");
    s3xml_delete_release(&d);

    assert_int_equal(s3xml_parse_delete(cr, LEN(cr), 0, &d, &e), HF_OK);
    assert_string_equal(d.objs[0].key, "/some/prefix/objectwith\rcarriagereturn");
    s3xml_delete_release(&d);

    assert_int_equal(s3xml_parse_delete(quiet, LEN(quiet), 0, &d, &e), HF_OK);
    assert_true(d.quiet);
    assert_string_equal(d.objs[0].key, " spaced key ");   /* kept byte for byte */
    s3xml_delete_release(&d);

    assert_int_equal(s3xml_parse_delete(prefixed, LEN(prefixed), 0, &d, &e), HF_OK);
    assert_false(d.quiet);
    assert_string_equal(d.objs[0].key, "a&b<c>");
    s3xml_delete_release(&d);
    s3xml_delete_release(NULL);
}

static void test_parse_complete(void **state)
{
    /* CompleteMultipartUpload: the sample request */
    static const char ex[] = "<CompleteMultipartUpload>\n <Part>\n    <PartNumber>1</PartNumber>\n"
                             "   <ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>\n </Part>\n"
                             " <Part>\n    <PartNumber>2</PartNumber>\n"
                             "   <ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</ETag>\n </Part>\n"
                             " <Part>\n   <PartNumber>3</PartNumber>\n"
                             "   <ETag>\"acbd18db4cc2f85cedef654fccc4a4d8\"</ETag>\n </Part>\n"
                             "</CompleteMultipartUpload>";
    static const char ns[] = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/"
                             "2006-03-01/\"><Part><ETag>&quot;e1&quot;</ETag><PartNumber>7"
                             "</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
                             "<Part><PartNumber>10000</PartNumber><ETag>e2</ETag></Part>"
                             "</CompleteMultipartUpload>";
    struct s3xml_complete c;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_complete(ex, LEN(ex), 0, &c, &e), HF_OK);
    assert_int_equal(c.nparts, 3);
    assert_int_equal(c.parts[0].number, 1);
    assert_string_equal(c.parts[0].etag, "a54357aff0632cce46d942af68356b38");
    assert_int_equal(c.parts[2].number, 3);
    assert_string_equal(c.parts[2].etag, "acbd18db4cc2f85cedef654fccc4a4d8");
    s3xml_complete_release(&c);
    assert_null(c.parts);

    assert_int_equal(s3xml_parse_complete(ns, LEN(ns), 0, &c, &e), HF_OK);
    assert_int_equal(c.nparts, 2);
    assert_int_equal(c.parts[0].number, 7);
    assert_string_equal(c.parts[0].etag, "e1");
    assert_string_equal(c.parts[0].sum_algo, "CRC32");
    assert_string_equal(c.parts[0].sum, "AAAAAA==");
    assert_int_equal(c.parts[1].number, 10000);
    assert_string_equal(c.parts[1].etag, "e2");
    assert_null(c.parts[1].sum_algo);
    assert_null(c.parts[1].sum);
    s3xml_complete_release(&c);
    s3xml_complete_release(NULL);
}

/* Checksum<ALGO> of a Part: each algorithm kept (trimmed), at most one, bounded. */
static void test_parse_complete_checksums(void **state)
{
    static const char *const algos[] = { "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" };
    char body[512], big[400];
    struct s3xml_complete c;
    struct s3xml_err e;

    (void)state;
    for (size_t i = 0; i < 5; i++) {
        snprintf(body, sizeof(body), "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
                 "<ETag>e</ETag><Checksum%s> v= </Checksum%s></Part>"
                 "</CompleteMultipartUpload>", algos[i], algos[i]);
        assert_int_equal(s3xml_parse_complete(body, strlen(body), 0, &c, &e), HF_OK);
        assert_string_equal(c.parts[0].sum_algo, algos[i]);
        assert_string_equal(c.parts[0].sum, "v=");
        s3xml_complete_release(&c);
    }
    /* two checksums in one Part */
    snprintf(body, sizeof(body), "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
             "<ETag>e</ETag><ChecksumCRC32>a</ChecksumCRC32><ChecksumSHA1>b</ChecksumSHA1>"
             "</Part></CompleteMultipartUpload>");
    assert_int_equal(s3xml_parse_complete(body, strlen(body), 0, &c, &e), HF_EMALFORMED);
    assert_null(c.parts);
    /* an unknown Checksum element is ignored, as any unknown element */
    snprintf(body, sizeof(body), "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
             "<ETag>e</ETag><ChecksumMD5>a</ChecksumMD5></Part></CompleteMultipartUpload>");
    assert_int_equal(s3xml_parse_complete(body, strlen(body), 0, &c, &e), HF_OK);
    assert_null(c.parts[0].sum);
    s3xml_complete_release(&c);
    /* a value over 128 bytes; markup inside */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    snprintf(body, sizeof(body), "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
             "<ETag>e</ETag><ChecksumSHA256>%.200s</ChecksumSHA256></Part>"
             "</CompleteMultipartUpload>", big);
    assert_int_equal(s3xml_parse_complete(body, strlen(body), 0, &c, &e), HF_EMALFORMED);
    snprintf(body, sizeof(body), "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
             "<ETag>e</ETag><ChecksumSHA256><x/></ChecksumSHA256></Part>"
             "</CompleteMultipartUpload>");
    assert_int_equal(s3xml_parse_complete(body, strlen(body), 0, &c, &e), HF_EMALFORMED);
}

static enum hf_err complete_str(const char *body, struct s3xml_err *e)
{
    struct s3xml_complete c;
    enum hf_err rc = s3xml_parse_complete(body, strlen(body), 0, &c, e);

    if (rc != HF_OK) {
        assert_null(c.parts);
        assert_int_equal(c.nparts, 0);
    }
    s3xml_complete_release(&c);
    return rc;
}

#define PART(n) "<Part><PartNumber>" n "</PartNumber><ETag>x</ETag></Part>"
#define CMU(parts) "<CompleteMultipartUpload>" parts "</CompleteMultipartUpload>"

static void test_parse_complete_bad(void **state)
{
    static const char *bad_numbers[] = { "0", "10001", "-1", "abc", "1.5", "", " ", "+",
                                         "99999999999999999999", "0x10", "1e3" };
    struct s3xml_err e;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
        char body[256];
        snprintf(body, sizeof(body), CMU("<Part><PartNumber>%s</PartNumber><ETag>x</ETag></Part>"),
                 bad_numbers[i]);
        if (complete_str(body, &e) != HF_EBADARG)
            fail_msg("PartNumber \"%s\" accepted", bad_numbers[i]);
        assert_string_equal(e.code, "InvalidArgument");
        assert_non_null(strstr(e.msg, "between 1 and 10000"));
    }
    /* white space around a number is fine, so are leading zeros */
    assert_int_equal(complete_str(CMU(PART(" 0042\n")), &e), HF_OK);
    /* order */
    assert_int_equal(complete_str(CMU(PART("2") PART("1")), &e), HF_EBADARG);
    assert_string_equal(e.code, "InvalidPartOrder");
    assert_int_equal(complete_str(CMU(PART("2") PART("2")), &e), HF_EBADARG);
    assert_string_equal(e.code, "InvalidPartOrder");
    /* shape */
    assert_int_equal(complete_str(CMU(""), &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    assert_int_equal(complete_str(CMU("<Part><PartNumber>1</PartNumber></Part>"), &e),
                     HF_EMALFORMED);
    assert_int_equal(complete_str(CMU("<Part><ETag>x</ETag></Part>"), &e), HF_EMALFORMED);
    assert_int_equal(complete_str(CMU("<Part><PartNumber>1</PartNumber><ETag></ETag></Part>"), &e),
                     HF_EMALFORMED);
    assert_int_equal(complete_str(CMU("<Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber>"
                                      "<ETag>x</ETag></Part>"), &e),
                     HF_EMALFORMED);
    assert_int_equal(complete_str(CMU("<Part><PartNumber>1<b/></PartNumber><ETag>x</ETag></Part>"),
                                  &e),
                     HF_EBADARG);
}

static void test_parse_complete_10000(void **state)
{
    size_t cap = 10001 * 64 + 64, len = 0;
    char *body = malloc(cap);
    struct s3xml_complete c;
    struct s3xml_err e;

    (void)state;
    assert_non_null(body);
    len += (size_t)snprintf(body + len, cap - len, "<CompleteMultipartUpload>");
    for (int i = 1; i <= 10000; i++)
        len += (size_t)snprintf(body + len, cap - len,
                                "<Part><PartNumber>%d</PartNumber><ETag>\"%d\"</ETag></Part>", i, i);
    memcpy(body + len, "</CompleteMultipartUpload>", 27);
    assert_int_equal(s3xml_parse_complete(body, len + 26, S3XML_COMPLETE_BODY_MAX, &c, &e), HF_OK);
    assert_int_equal(c.nparts, 10000);
    assert_string_equal(c.parts[9999].etag, "10000");
    s3xml_complete_release(&c);
    /* one more part: too many entries */
    len += (size_t)snprintf(body + len, cap - len,
                            "<Part><PartNumber>10000</PartNumber><ETag>x</ETag></Part>"
                            "</CompleteMultipartUpload>");
    assert_int_equal(s3xml_parse_complete(body, len, S3XML_COMPLETE_BODY_MAX, &c, &e),
                     HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    /* the same body against the usual 1 MiB cap is too big, whatever it holds */
    assert_int_equal(s3xml_parse_complete(body, 2 << 20, 0, &c, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MaxMessageLengthExceeded");
    free(body);
}

static void test_parse_lock_conf(void **state)
{
    static const char days[] = "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                               "2006-03-01/\">\n  <ObjectLockEnabled>Enabled</ObjectLockEnabled>\n"
                               "  <Rule>\n    <DefaultRetention>\n      <Mode>GOVERNANCE</Mode>\n"
                               "      <Days>30</Days>\n    </DefaultRetention>\n  </Rule>\n"
                               "</ObjectLockConfiguration>";
    static const char years[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                                "</ObjectLockEnabled><Rule><DefaultRetention><Years>2</Years>"
                                "<Mode>COMPLIANCE</Mode></DefaultRetention></Rule>"
                                "</ObjectLockConfiguration>";
    static const char only[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                               "</ObjectLockEnabled></ObjectLockConfiguration>";
    struct s3xml_lock_conf l;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_lock_conf(days, LEN(days), 0, &l, &e), HF_OK);
    assert_true(l.enabled);
    assert_true(l.has_default);
    assert_int_equal(l.mode, S3XML_LOCK_GOVERNANCE);
    assert_int_equal(l.days, 30);
    assert_int_equal(l.years, 0);
    assert_int_equal(s3xml_parse_lock_conf(years, LEN(years), 0, &l, &e), HF_OK);
    assert_int_equal(l.mode, S3XML_LOCK_COMPLIANCE);
    assert_int_equal(l.years, 2);
    assert_int_equal(l.days, 0);
    assert_int_equal(s3xml_parse_lock_conf(only, LEN(only), 0, &l, &e), HF_OK);
    assert_true(l.enabled);
    assert_false(l.has_default);
}

static enum hf_err lock_str(const char *rule, struct s3xml_err *e)
{
    char body[512];
    struct s3xml_lock_conf l;

    snprintf(body, sizeof(body),
             "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
             "<Rule><DefaultRetention>%s</DefaultRetention></Rule></ObjectLockConfiguration>",
             rule);
    return s3xml_parse_lock_conf(body, strlen(body), 0, &l, e);
}

static void test_parse_lock_conf_bad(void **state)
{
    static const char dis[] = "<ObjectLockConfiguration><ObjectLockEnabled>Disabled"
                              "</ObjectLockEnabled></ObjectLockConfiguration>";
    struct s3xml_lock_conf l;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Days>0</Days>", &e), HF_EBADARG);
    assert_string_equal(e.code, "InvalidRetentionPeriod");
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Days>-3</Days>", &e), HF_EBADARG);
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Days>36501</Days>", &e), HF_EBADARG);
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Years>101</Years>", &e), HF_EBADARG);
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Days>36500</Days>", &e), HF_OK);
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Days>ten</Days>", &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>", &e),
                     HF_EMALFORMED);
    assert_int_equal(lock_str("<Mode>GOVERNANCE</Mode>", &e), HF_EMALFORMED);
    assert_int_equal(lock_str("<Days>1</Days>", &e), HF_EMALFORMED);
    assert_int_equal(lock_str("<Mode>governance</Mode><Days>1</Days>", &e), HF_EMALFORMED);
    assert_int_equal(s3xml_parse_lock_conf(dis, LEN(dis), 0, &l, &e), HF_EMALFORMED);
    assert_false(l.enabled);
}

static void test_parse_retention(void **state)
{
    static const char gov[] = "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                              "<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-05T00:00:00.000Z"
                              "</RetainUntilDate></Retention>";
    static const char off[] = "<Retention><RetainUntilDate>2030-01-05T02:30:00.5+02:30"
                              "</RetainUntilDate><Mode>COMPLIANCE</Mode></Retention>";
    static const char empty[] = "<Retention/>";
    static const char *bad[] = {
        "<Retention><Mode>GOVERNANCE</Mode></Retention>",
        "<Retention><RetainUntilDate>2030-01-05T00:00:00Z</RetainUntilDate></Retention>",
        ("<Retention><Mode>LOCKED</Mode><RetainUntilDate>2030-01-05T00:00:00Z</RetainUntilDate>"
         "</Retention>"),
    };
    static const char *bad_dates[] = {
        "2030-02-30T00:00:00Z", "2030-13-01T00:00:00Z", "2030-01-05T24:00:00Z",
        "2030-01-05T00:60:00Z", "2030-01-05 00:00:00Z", "2030-01-05T00:00:00",
        "2030-01-05T00:00:00.Z", "2030-01-05T00:00:00+0100", "30-01-05T00:00:00Z",
        "2030-01-05T00:00:00Zjunk", "2030-01-05T00:00:00.0000000000Z", "",
        "2029-02-29T00:00:00Z",
    };
    struct s3xml_retention r;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_retention(gov, LEN(gov), 0, &r, &e), HF_OK);
    assert_int_equal(r.mode, S3XML_LOCK_GOVERNANCE);
    assert_int_equal(r.until_ms, at(2030, 1, 5, 0, 0, 0) / 1000000);
    assert_int_equal(s3xml_parse_retention(off, LEN(off), 0, &r, &e), HF_OK);
    assert_int_equal(r.mode, S3XML_LOCK_COMPLIANCE);
    assert_int_equal(r.until_ms, at(2030, 1, 5, 0, 0, 0) / 1000000 + 500);
    assert_int_equal(s3xml_parse_retention(empty, LEN(empty), 0, &r, &e), HF_OK);
    assert_int_equal(r.mode, S3XML_LOCK_NONE);
    assert_int_equal(r.until_ms, 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(s3xml_parse_retention(bad[i], strlen(bad[i]), 0, &r, &e), HF_EMALFORMED);
        assert_int_equal(r.mode, S3XML_LOCK_NONE);
    }
    for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
        char body[256];
        snprintf(body, sizeof(body), "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>%s"
                                     "</RetainUntilDate></Retention>", bad_dates[i]);
        if (s3xml_parse_retention(body, strlen(body), 0, &r, &e) != HF_EMALFORMED)
            fail_msg("date \"%s\" accepted", bad_dates[i]);
    }
}

static void test_parse_legal_hold(void **state)
{
    static const char on[] = "<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                             "<Status>ON</Status></LegalHold>";
    static const char off[] = "<LegalHold><Status>\n OFF \n</Status></LegalHold>";
    static const char bad[] = "<LegalHold><Status>on</Status></LegalHold>";
    static const char none[] = "<LegalHold></LegalHold>";
    struct s3xml_legal_hold h;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_legal_hold(on, LEN(on), 0, &h, &e), HF_OK);
    assert_true(h.on);
    assert_int_equal(s3xml_parse_legal_hold(off, LEN(off), 0, &h, &e), HF_OK);
    assert_false(h.on);
    assert_int_equal(s3xml_parse_legal_hold(bad, LEN(bad), 0, &h, &e), HF_EMALFORMED);
    assert_int_equal(s3xml_parse_legal_hold(none, LEN(none), 0, &h, &e), HF_EMALFORMED);
    assert_non_null(strstr(e.msg, "Status is missing"));
}

static void test_parse_tagging(void **state)
{
    /* PutObjectTagging: the sample request */
    static const char ex[] = "<Tagging>\n   <TagSet>\n      <Tag>\n         <Key>tag1</Key>\n"
                             "         <Value>val1</Value>\n      </Tag>\n      <Tag>\n"
                             "         <Key>tag2</Key>\n         <Value>val2</Value>\n"
                             "      </Tag>\n   </TagSet>\n</Tagging>";
    static const char ns[] = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
                             "<Tag><Key>caf\xc3\xa9</Key><Value></Value></Tag></TagSet></Tagging>";
    static const char empty[] = "<Tagging><TagSet/></Tagging>";
    struct s3xml_tagging t;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(s3xml_parse_tagging(ex, LEN(ex), 0, 10, &t, &e), HF_OK);
    assert_int_equal(t.ntags, 2);
    assert_string_equal(t.tags[0].key, "tag1");
    assert_string_equal(t.tags[0].value, "val1");
    assert_string_equal(t.tags[1].key, "tag2");
    assert_string_equal(t.tags[1].value, "val2");
    s3xml_tagging_release(&t);
    assert_null(t.tags);
    assert_int_equal(s3xml_parse_tagging(ns, LEN(ns), 0, 10, &t, &e), HF_OK);
    assert_string_equal(t.tags[0].key, "caf\xc3\xa9");
    assert_string_equal(t.tags[0].value, "");
    s3xml_tagging_release(&t);
    assert_int_equal(s3xml_parse_tagging(empty, LEN(empty), 0, 10, &t, &e), HF_OK);
    assert_int_equal(t.ntags, 0);
    s3xml_tagging_release(&t);
    s3xml_tagging_release(NULL);
}

static enum hf_err tags_str(const char *body, size_t max, struct s3xml_err *e)
{
    struct s3xml_tagging t;
    enum hf_err rc = s3xml_parse_tagging(body, strlen(body), 0, max, &t, e);

    if (rc != HF_OK)
        assert_null(t.tags);
    s3xml_tagging_release(&t);
    return rc;
}

static void test_parse_tagging_bad(void **state)
{
    char body[8192], k128[4 * 128 + 8];
    size_t n = 0;
    struct s3xml_err e;

    (void)state;
    assert_int_equal(tags_str("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag>"
                              "<Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>", 10, &e),
                     HF_EBADARG);
    assert_string_equal(e.code, "InvalidTag");
    assert_int_equal(tags_str("<Tagging><TagSet><Tag><Key></Key><Value>1</Value></Tag></TagSet>"
                              "</Tagging>", 10, &e),
                     HF_EBADARG);
    assert_int_equal(tags_str("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", 10, &e),
                     HF_EMALFORMED);
    assert_int_equal(tags_str("<Tagging></Tagging>", 10, &e), HF_EMALFORMED);
    assert_int_equal(tags_str("<Tagging><TagSet/><TagSet/></Tagging>", 10, &e), HF_EMALFORMED);

    /* 128 characters of 4 bytes fit; 129 do not */
    for (int i = 0; i < 128; i++)
        memcpy(k128 + 4 * i, "\xf0\x9f\x98\x80", 4);
    k128[512] = '\0';
    snprintf(body, sizeof(body), "<Tagging><TagSet><Tag><Key>%s</Key><Value>v</Value></Tag>"
                                 "</TagSet></Tagging>", k128);
    assert_int_equal(tags_str(body, 10, &e), HF_OK);
    snprintf(body, sizeof(body), "<Tagging><TagSet><Tag><Key>%sx</Key><Value>v</Value></Tag>"
                                 "</TagSet></Tagging>", k128);
    assert_int_equal(tags_str(body, 10, &e), HF_EBADARG);
    assert_string_equal(e.code, "InvalidTag");

    /* 11 tags on an object (limit 10), fine on a bucket (limit 50) */
    n += (size_t)snprintf(body + n, sizeof(body) - n, "<Tagging><TagSet>");
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n,
                              "<Tag><Key>k%d</Key><Value>v</Value></Tag>", i);
    snprintf(body + n, sizeof(body) - n, "</TagSet></Tagging>");
    assert_int_equal(tags_str(body, 10, &e), HF_EBADARG);
    assert_string_equal(e.code, "InvalidTag");
    assert_int_equal(tags_str(body, 50, &e), HF_OK);
}

/* ================================================================== */
/* Parsers: hostile bodies                                             */
/* ================================================================== */

static enum hf_err delete_n(const char *body, size_t len, size_t cap, struct s3xml_err *e)
{
    struct s3xml_delete d;
    enum hf_err rc = s3xml_parse_delete(body, len, cap, &d, e);

    if (rc != HF_OK) {
        assert_null(d.objs);
        assert_int_equal(d.nobjs, 0);
        assert_non_null(e->code);
        assert_true(e->msg[0] != '\0');
        assert_null(strchr(e->msg, '\n'));
    }
    s3xml_delete_release(&d);
    return rc;
}

static enum hf_err delete_str(const char *body, struct s3xml_err *e)
{
    return delete_n(body, strlen(body), 0, e);
}

static void test_hostile_doctype(void **state)
{
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n<Delete><Object><Key>&lol9;</Key></Object></Delete>";
    static const char *xxe[] = {
        "<?xml version=\"1.0\"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<Delete><Object><Key>&xxe;</Key></Object></Delete>",
        "<!DOCTYPE foo [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/evil.dtd\"> %p;]>"
        "<Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE Delete SYSTEM \"http://127.0.0.1:1/delete.dtd\">"
        "<Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE Delete PUBLIC \"-//x//y\" \"file:///etc/passwd\">"
        "<Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE Delete><Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE Delete [<!ATTLIST Key a CDATA \"x\">]>"
        "<Delete><Object><Key>k</Key></Object></Delete>",
        /* a DOCTYPE after the root is not well-formed either */
        "<Delete><Object><Key>k</Key></Object></Delete><!DOCTYPE x>",
    };
    struct s3xml_err e;

    (void)state;
    assert_int_equal(delete_str(laughs, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    assert_non_null(strstr(e.msg, "DOCTYPE"));
    for (size_t i = 0; i < sizeof(xxe) / sizeof(xxe[0]); i++) {
        if (delete_str(xxe[i], &e) != HF_EMALFORMED)
            fail_msg("accepted: %s", xxe[i]);
        assert_string_equal(e.code, "MalformedXML");
    }
    /* the other parsers go through the same door */
    {
        static const char v[] = "<!DOCTYPE VersioningConfiguration [<!ENTITY s \"Enabled\">]>"
                                "<VersioningConfiguration><Status>&s;</Status>"
                                "</VersioningConfiguration>";
        struct s3xml_versioning_conf vc;
        assert_int_equal(s3xml_parse_versioning(v, LEN(v), 0, &vc, &e), HF_EMALFORMED);
    }
}

/*
 * Bodies are UTF-8, whatever they declare: UTF-16 (where a byte scan for
 * "<!DOCTYPE" would see nothing), UCS-4 and Latin-1 are not well-formed,
 * and no iconv converter is reached.  libxml2 writes nothing to stderr.
 */
static void test_hostile_encodings(void **state)
{
    static const char ascii_ok[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
                                   "<Delete><Object><Key>k16</Key></Object></Delete>";
    static const char ascii_bad[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
                                    "<!DOCTYPE d [<!ENTITY x \"y\">]>"
                                    "<Delete><Object><Key>&x;</Key></Object></Delete>";
    static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                                 "<Delete><Object><Key>caf\xe9</Key></Object></Delete>";
    static const char iscii[] = "<?xml version=\"1.0\" encoding=\"iscii\"?>"
                                "<Delete><Object><Key>k\xa1\xe9</Key></Object></Delete>";
    static const char declared[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                                   "<Delete><Object><Key>caf\xc3\xa9</Key></Object></Delete>";
    char body[512], errpath[] = "/tmp/test_s3xml.XXXXXX";
    struct s3xml_delete d;
    struct s3xml_err e;
    int saved, fd;
    size_t n;

    (void)state;
    /* everything below runs with stderr going to a file that must stay empty */
    fflush(stderr);
    fd = mkstemp(errpath);
    assert_true(fd >= 0);
    saved = dup(2);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 2), 2);

    for (int le = 0; le < 2; le++) {
        const char *src[] = { ascii_ok, ascii_bad };
        for (int k = 0; k < 2; k++) {
            n = 0;
            body[n++] = (char)(le ? 0xff : 0xfe);
            body[n++] = (char)(le ? 0xfe : 0xff);
            for (size_t i = 0; src[k][i]; i++) {
                body[n++] = le ? src[k][i] : 0;
                body[n++] = le ? 0 : src[k][i];
            }
            /* a lone surrogate for good measure */
            body[n++] = (char)(le ? 0x00 : 0xd8);
            body[n++] = (char)(le ? 0xd8 : 0x00);
            assert_int_equal(delete_n(body, n, 0, &e), HF_EMALFORMED);
            assert_int_equal(delete_n(body + 2, n - 2, 0, &e), HF_EMALFORMED);
        }
    }
    /* UCS-4 */
    n = 0;
    for (size_t i = 0; ascii_ok[i]; i++) {
        memset(body + n, 0, 3);
        body[n + 3] = ascii_ok[i];
        n += 4;
        if (n + 4 > sizeof(body))
            break;
    }
    assert_int_equal(delete_n(body, n, 0, &e), HF_EMALFORMED);
    assert_int_equal(delete_n(latin1, LEN(latin1), 0, &e), HF_EMALFORMED);
    assert_int_equal(delete_n(iscii, LEN(iscii), 0, &e), HF_EMALFORMED);
    /* the declaration is ignored: UTF-8 bytes are read as UTF-8 */
    assert_int_equal(s3xml_parse_delete(declared, LEN(declared), 0, &d, &e), HF_OK);
    assert_string_equal(d.objs[0].key, "caf\xc3\xa9");
    s3xml_delete_release(&d);

    fflush(stderr);
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    {
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        if (st.st_size != 0)
            fail_msg("libxml2 wrote %lld bytes to stderr (see %s)", (long long)st.st_size,
                     errpath);
    }
    close(fd);
    unlink(errpath);
}

static void test_hostile_size(void **state)
{
    char *big = malloc(S3XML_BODY_MAX + 1);
    struct s3xml_err e;

    (void)state;
    assert_non_null(big);
    memset(big, ' ', S3XML_BODY_MAX + 1);
    assert_int_equal(delete_n(big, S3XML_BODY_MAX + 1, 0, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MaxMessageLengthExceeded");
    assert_int_equal(delete_n(big, 101, 100, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MaxMessageLengthExceeded");
    /* a larger cap lets it through to the parser: white space only */
    assert_int_equal(delete_n(big, S3XML_BODY_MAX + 1, S3XML_COMPLETE_BODY_MAX, &e),
                     HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    assert_int_equal(delete_n(big, 0, 0, &e), HF_EMALFORMED);     /* empty */
    assert_string_equal(e.code, "MalformedXML");
    assert_int_equal(delete_n(NULL, 0, 0, &e), HF_EMALFORMED);
    free(big);
    /* a cap above the largest is the largest */
    big = malloc(S3XML_COMPLETE_BODY_MAX + 1);
    assert_non_null(big);
    memset(big, ' ', S3XML_COMPLETE_BODY_MAX + 1);
    assert_int_equal(delete_n(big, S3XML_COMPLETE_BODY_MAX + 1, SIZE_MAX, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MaxMessageLengthExceeded");
    free(big);
}

static char *delete_body(int objects, size_t *len)
{
    size_t cap = (size_t)objects * 48 + 64, n = 0;
    char *b = malloc(cap);

    assert_non_null(b);
    n += (size_t)snprintf(b + n, cap - n, "<Delete>");
    for (int i = 0; i < objects; i++)
        n += (size_t)snprintf(b + n, cap - n, "<Object><Key>k%d</Key></Object>", i);
    n += (size_t)snprintf(b + n, cap - n, "</Delete>");
    *len = n;
    return b;
}

static void test_hostile_counts(void **state)
{
    struct s3xml_delete d;
    struct s3xml_err e;
    size_t len;
    char *b;

    (void)state;
    b = delete_body(1000, &len);
    assert_int_equal(s3xml_parse_delete(b, len, 0, &d, &e), HF_OK);
    assert_int_equal(d.nobjs, 1000);
    assert_string_equal(d.objs[999].key, "k999");
    s3xml_delete_release(&d);
    free(b);
    b = delete_body(1001, &len);
    assert_int_equal(delete_n(b, len, 0, &e), HF_EMALFORMED);
    assert_string_equal(e.code, "MalformedXML");
    free(b);
    b = delete_body(20000, &len);               /* stopped by the element count */
    assert_int_equal(delete_n(b, len, 0, &e), HF_EMALFORMED);
    free(b);
    assert_int_equal(delete_str("<Delete></Delete>", &e), HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Quiet>true</Quiet></Delete>", &e), HF_EMALFORMED);
}

static void test_hostile_nesting(void **state)
{
    size_t depth = 100000, n = 0;
    char *b = malloc(depth * 7 + 64);
    struct s3xml_err e;

    (void)state;
    assert_non_null(b);
    /* 100000 levels: stopped by the element count or libxml2's depth limit */
    n += (size_t)snprintf(b, 16, "<Delete>");
    for (size_t i = 0; i < depth; i++) {
        memcpy(b + n, "<a>", 3);
        n += 3;
    }
    for (size_t i = 0; i < depth; i++) {
        memcpy(b + n, "</a>", 4);
        n += 4;
    }
    n += (size_t)snprintf(b + n, 16, "</Delete>");
    assert_int_equal(delete_n(b, n, 0, &e), HF_EMALFORMED);
    /* 300 levels, under the element count: libxml2's depth limit */
    n = (size_t)snprintf(b, 16, "<Delete>");
    for (int i = 0; i < 300; i++) {
        memcpy(b + n, "<a>", 3);
        n += 3;
    }
    assert_int_equal(delete_n(b, n, 0, &e), HF_EMALFORMED);
    free(b);
    /* nesting where text belongs */
    assert_int_equal(delete_str("<Delete><Object><Key>a<b>c</b></Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_non_null(strstr(e.msg, "Key must hold text only"));
}

static void test_hostile_text(void **state)
{
    static const char nul[] = "<Delete><Object><Key>a\0b</Key></Object></Delete>";
    struct s3xml_err e;

    (void)state;
    /* invalid UTF-8, in content and in a name */
    assert_int_equal(delete_str("<Delete><Object><Key>a\xff</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Object><Key>\xed\xa0\x80</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Obj\xc0\xaf" "ct><Key>a</Key></Obj\xc0\xaf" "ct></Delete>", &e),
                     HF_EMALFORMED);
    /* characters XML 1.0 forbids, even as references */
    assert_int_equal(delete_str("<Delete><Object><Key>a&#1;</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Object><Key>a\x01</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Object><Key>a&#0;</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    /* undeclared entity */
    assert_int_equal(delete_str("<Delete><Object><Key>&nbsp;</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    /* a NUL byte in the body */
    assert_int_equal(delete_n(nul, LEN(nul), 0, &e), HF_EMALFORMED);
}

static void test_hostile_truncated(void **state)
{
    static const char full[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                               "<Quiet>true</Quiet><Object><Key>a&amp;b</Key>"
                               "<VersionId>v1</VersionId></Object></Delete>";
    struct s3xml_err e;

    (void)state;
    assert_int_equal(delete_n(full, LEN(full), 0, &e), HF_OK);
    for (size_t n = 0; n < LEN(full); n++) {
        /* exact-size heap copies: ASan sees any read past the end */
        char *p = malloc(n ? n : 1);
        memcpy(p, full, n);
        if (delete_n(p, n, 0, &e) != HF_EMALFORMED)
            fail_msg("a %zu-byte prefix was accepted", n);
        free(p);
    }
}

static void test_hostile_shape(void **state)
{
    struct s3xml_err e;

    (void)state;
    assert_int_equal(delete_str("<Deleted><Object><Key>k</Key></Object></Deleted>", &e),
                     HF_EMALFORMED);
    assert_non_null(strstr(e.msg, "root element must be Delete"));
    assert_int_equal(delete_str("<CompleteMultipartUpload/>", &e), HF_EMALFORMED);
    assert_int_equal(delete_str("<delete><Object><Key>k</Key></Object></delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Object><Key>k</Key><Key>l</Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Object><VersionId>v</VersionId></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_non_null(strstr(e.msg, "Object/Key is missing"));
    assert_int_equal(delete_str("<Delete><Object><Key></Key></Object></Delete>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>",
                                &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("<Delete><Object><Key>k</Key></Object></Delete><Delete/>", &e),
                     HF_EMALFORMED);
    assert_int_equal(delete_str("just text", &e), HF_EMALFORMED);
    /* unknown elements and attributes are ignored */
    assert_int_equal(delete_str("<Delete a=\"1\"><Unknown><Object><Key>x</Key></Object></Unknown>"
                                "<Object z=\"\"><Key>k</Key></Object></Delete>", &e),
                     HF_OK);
}

static void test_key_lengths(void **state)
{
    char body[8192];
    char key[HF_KEY_MAX + 2];
    struct s3xml_delete d;
    struct s3xml_err e;

    (void)state;
    memset(key, 'k', sizeof(key));
    key[HF_KEY_MAX] = '\0';
    snprintf(body, sizeof(body), "<Delete><Object><Key>%s</Key></Object></Delete>", key);
    assert_int_equal(s3xml_parse_delete(body, strlen(body), 0, &d, &e), HF_OK);
    assert_int_equal(d.objs[0].key_len, HF_KEY_MAX);
    s3xml_delete_release(&d);
    key[HF_KEY_MAX] = 'k';
    key[HF_KEY_MAX + 1] = '\0';
    snprintf(body, sizeof(body), "<Delete><Object><Key>%s</Key></Object></Delete>", key);
    assert_int_equal(delete_str(body, &e), HF_EBADKEY);
    assert_string_equal(e.code, "KeyTooLongError");
    /* the limit is on bytes after parsing: 1024 bytes spelled as 5120 */
    {
        size_t n = (size_t)snprintf(body, sizeof(body), "<Delete><Object><Key>");
        for (int i = 0; i < HF_KEY_MAX; i++) {
            memcpy(body + n, "&#65;", 5);
            n += 5;
        }
        n += (size_t)snprintf(body + n, sizeof(body) - n, "</Key></Object></Delete>");
        assert_int_equal(s3xml_parse_delete(body, n, 0, &d, &e), HF_OK);
        assert_int_equal(d.objs[0].key_len, HF_KEY_MAX);
        s3xml_delete_release(&d);
    }
    /* and 1024 bytes of 4-byte characters */
    {
        size_t n = (size_t)snprintf(body, sizeof(body), "<Delete><Object><Key>");
        for (int i = 0; i < HF_KEY_MAX / 4; i++) {
            memcpy(body + n, "\xf0\x9f\x98\x80", 4);
            n += 4;
        }
        memcpy(body + n, "x", 1);
        n += 1;
        n += (size_t)snprintf(body + n, sizeof(body) - n, "</Key></Object></Delete>");
        assert_int_equal(delete_n(body, n, 0, &e), HF_EBADKEY);
    }
}

static int cleanup(void **state)
{
    (void)state;
    xmlCleanupParser();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_markup),
        cmocka_unit_test(test_escape_controls),
        cmocka_unit_test(test_escape_non_ascii),
        cmocka_unit_test(test_escape_round_trip),
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_buf_64mib),
        cmocka_unit_test(test_error_doc),
        cmocka_unit_test(test_list_buckets),
        cmocka_unit_test(test_list_v2),
        cmocka_unit_test(test_list_v2_url),
        cmocka_unit_test(test_list_v1),
        cmocka_unit_test(test_list_versions),
        cmocka_unit_test(test_location_and_versioning),
        cmocka_unit_test(test_delete_result),
        cmocka_unit_test(test_multipart_results),
        cmocka_unit_test(test_list_parts),
        cmocka_unit_test(test_list_uploads),
        cmocka_unit_test(test_list_1000),
        cmocka_unit_test(test_parse_create_bucket),
        cmocka_unit_test(test_parse_versioning),
        cmocka_unit_test(test_parse_delete),
        cmocka_unit_test(test_parse_complete),
        cmocka_unit_test(test_parse_complete_bad),
        cmocka_unit_test(test_parse_complete_10000),
        cmocka_unit_test(test_parse_lock_conf),
        cmocka_unit_test(test_parse_lock_conf_bad),
        cmocka_unit_test(test_parse_retention),
        cmocka_unit_test(test_parse_legal_hold),
        cmocka_unit_test(test_parse_tagging),
        cmocka_unit_test(test_parse_tagging_bad),
        cmocka_unit_test(test_hostile_doctype),
        cmocka_unit_test(test_hostile_encodings),
        cmocka_unit_test(test_hostile_size),
        cmocka_unit_test(test_hostile_counts),
        cmocka_unit_test(test_hostile_nesting),
        cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_hostile_truncated),
        cmocka_unit_test(test_hostile_shape),
        cmocka_unit_test(test_key_lengths),
        cmocka_unit_test(test_parse_complete_checksums),
    };

    return cmocka_run_group_tests(tests, NULL, cleanup);
}
