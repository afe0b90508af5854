/*
 * The inner loops of verification, compiled (service/ledger/verify.py and audit.py call them):
 * - node_hashes: a level of the Merkle tree from the level below;
 * - check_entries: each entry's hash, its stored columns against its bytes, and the chain bookkeeping;
 * - sort_records, same_records: whether the entries' (id || hash) records are the leaves' and the pending
 *   queue's (each side sorted where it is read, then merged and compared in one pass); record_fields: the
 *   leaves' hashes out of those records.
 * SHA-256 is OpenSSL's libcrypto, the library Python's hashlib uses: what costs in Python is the ~1 microsecond
 * of object set-up per hash, not the hashing.
 *
 * Optional: when it was not built (service/ledger/speedups.py), verify.py runs its Python twins of the first
 * two, which are the specification, and audit.py lets the database join leaves and entries instead of the
 * third; tests/ledger/test_speedups.py and the tamper suite run both ways. Nothing here decides what a problem
 * is called: a function answers "all hold" or "look at row i", and Python names what is wrong.
 *
 * Every read of an entry's bytes is bounds-checked against its length: the bytes come from a database that
 * verification does not trust.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <openssl/evp.h>
#include <string.h>

#define HASH_SIZE 32

typedef struct {
    EVP_MD_CTX *ctx;
    EVP_MD *md;
} Hasher;

static int hasher_open(Hasher *h) {
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->ctx = EVP_MD_CTX_new();
    if (h->md == NULL || h->ctx == NULL) {
        EVP_MD_free(h->md);
        EVP_MD_CTX_free(h->ctx);
        PyErr_SetString(PyExc_RuntimeError, "OpenSSL has no SHA-256");
        return -1;
    }
    return 0;
}

static void hasher_close(Hasher *h) {
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->md);
}

/* SHA-256(prefix || data) into out; the context is reused from one hash to the next. */
static int sha256_prefixed(Hasher *h, unsigned char prefix, const char *data, Py_ssize_t len, unsigned char *out) {
    if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 || EVP_DigestUpdate(h->ctx, &prefix, 1) != 1 ||
        EVP_DigestUpdate(h->ctx, data, (size_t)len) != 1 || EVP_DigestFinal_ex(h->ctx, out, NULL) != 1) {
        PyErr_SetString(PyExc_RuntimeError, "SHA-256 failed in OpenSSL");
        return -1;
    }
    return 0;
}

/* node_hashes(level) -> the level above: SHA-256(0x01 || left || right) of each pair of 32-byte hashes. */
static PyObject *node_hashes(PyObject *self, PyObject *args) {
    Py_buffer below;
    if (!PyArg_ParseTuple(args, "y*", &below)) return NULL;
    if (below.len % HASH_SIZE != 0) {
        PyBuffer_Release(&below);
        PyErr_SetString(PyExc_ValueError, "a level is a whole number of 32-byte hashes");
        return NULL;
    }
    Py_ssize_t pairs = below.len / HASH_SIZE / 2;
    PyObject *above = PyBytes_FromStringAndSize(NULL, pairs * HASH_SIZE);
    Hasher h;
    if (above == NULL || hasher_open(&h) < 0) {
        Py_XDECREF(above);
        PyBuffer_Release(&below);
        return NULL;
    }
    const char *in = below.buf;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(above);
    for (Py_ssize_t i = 0; i < pairs; i++) {
        if (sha256_prefixed(&h, 0x01, in + 2 * i * HASH_SIZE, 2 * HASH_SIZE, out + i * HASH_SIZE) < 0) {
            Py_CLEAR(above);
            break;
        }
    }
    hasher_close(&h);
    PyBuffer_Release(&below);
    return above;
}

static const char BASE64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Whether text[0 .. 4*ceil(n/3)) is the standard, padded base64 of data[0 .. n) (the caller checked the length). */
static int is_base64_of(const unsigned char *text, const unsigned char *data, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i += 3, text += 4) {
        unsigned int b0 = data[i], b1 = i + 1 < n ? data[i + 1] : 0, b2 = i + 2 < n ? data[i + 2] : 0;
        if (text[0] != BASE64[b0 >> 2] || text[1] != BASE64[((b0 & 3) << 4) | (b1 >> 4)]) return 0;
        if (text[2] != (i + 1 < n ? BASE64[((b1 & 15) << 2) | (b2 >> 6)] : '=')) return 0;
        if (text[3] != (i + 2 < n ? BASE64[b2 & 63] : '=')) return 0;
    }
    return 1;
}

typedef struct {
    Py_buffer agency;        /* '","agency":' + the agency's code as JSON + ',"body":' */
    Py_buffer seq_prefix;    /* '","seq":' */
    Py_buffer before_first;  /* ',"kind":"caseledger.entry/v1","prev":null,"recorded_at":"' */
    Py_buffer before_prev;   /* ',"kind":"caseledger.entry/v1","prev":"' */
    Py_buffer then_recorded; /* '","recorded_at":"' */
    Py_ssize_t instant;      /* the width of recorded_at's value */
} Shape;

static int starts_at(const char *s, Py_ssize_t len, Py_ssize_t at, const Py_buffer *what) {
    return at >= 0 && what->len <= len - at && memcmp(s + at, what->buf, (size_t)what->len) == 0;
}

/* n in decimal, as JSON writes an integer, into out (24 bytes); its length. (snprintf cost a tenth of the loop.) */
static int decimal(long long n, char *out) {
    char reversed[24];
    int len = 0;
    unsigned long long v = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    do {
        reversed[len++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    int at = 0;
    if (n < 0) out[at++] = '-';
    while (len) out[at++] = reversed[--len];
    return at;
}

/* Whether one entry's bytes hash to its stored hash and say what its columns say (the rules of
 * EntryChecker.check_rows in verify.py, which is the specification). */
static int entry_holds(Hasher *h, const Shape *shape, PyObject *canonical, PyObject *stored, PyObject *seq,
                       PyObject *prev, PyObject *tail, int *failed) {
    if (!PyBytes_Check(canonical) || !PyBytes_Check(stored) || !PyBytes_Check(tail) || !PyLong_Check(seq) ||
        (prev != Py_None && !PyBytes_Check(prev)))
        return 0;
    const char *s = PyBytes_AS_STRING(canonical);
    Py_ssize_t len = PyBytes_GET_SIZE(canonical);
    unsigned char digest[HASH_SIZE];
    if (sha256_prefixed(h, 0x00, s, len, digest) < 0) {
        *failed = 1;
        return 0;
    }
    if (PyBytes_GET_SIZE(stored) != HASH_SIZE || memcmp(digest, PyBytes_AS_STRING(stored), HASH_SIZE) != 0)
        return 0;
    /* The actor comes first and is a JSON string: the first '","agency":' (at 10 or later, before 512) ends it. */
    static const char actor[] = "{\"actor\":\"", agency_key[] = "\",\"agency\":";
    const Py_ssize_t key_len = (Py_ssize_t)sizeof agency_key - 1;
    if (len < 10 || memcmp(s, actor, 10) != 0) return 0;
    Py_ssize_t at = -1;
    for (Py_ssize_t p = 10; p + key_len <= (len < 512 ? len : 512); p++) {
        if (s[p] == '"' && memcmp(s + p, agency_key, (size_t)key_len) == 0) {
            at = p;
            break;
        }
    }
    if (at < 0 || !starts_at(s, len, at, &shape->agency)) return 0;
    /* The end: '","seq":' N ',"stream":' S ',"type":' T '}', N in decimal. */
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(seq, &overflow);
    if (overflow || (n == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    char digits[24];
    int digits_len = decimal(n, digits);
    Py_ssize_t tail_len = PyBytes_GET_SIZE(tail);
    Py_ssize_t after = shape->seq_prefix.len + digits_len + tail_len;
    if (after > len || memcmp(s + len - tail_len, PyBytes_AS_STRING(tail), (size_t)tail_len) != 0 ||
        memcmp(s + len - tail_len - digits_len, digits, (size_t)digits_len) != 0 ||
        !starts_at(s, len, len - after, &shape->seq_prefix))
        return 0;
    /* Before the instant: ',"kind":…,"prev":null,"recorded_at":"' or ',"kind":…,"prev":"<base64>","recorded_at":"'. */
    Py_ssize_t instant_at = len - after - shape->instant;
    if (prev == Py_None) return starts_at(s, len, instant_at - shape->before_first.len, &shape->before_first);
    Py_ssize_t prev_len = PyBytes_GET_SIZE(prev), text_len = 4 * ((prev_len + 2) / 3);
    Py_ssize_t text_at = instant_at - shape->then_recorded.len - text_len;
    Py_ssize_t start = text_at - shape->before_prev.len;
    return start >= 0 && starts_at(s, len, start, &shape->before_prev) &&
           starts_at(s, len, instant_at - shape->then_recorded.len, &shape->then_recorded) &&
           is_base64_of((const unsigned char *)s + text_at, (const unsigned char *)PyBytes_AS_STRING(prev), prev_len);
}

/* The chain bookkeeping for one entry that holds: it extends the open run of its stream when it is the next
 * entry, linked to the last one; otherwise that run is closed (appended to ``closed`` as (stream, run)) and the
 * entry opens a new one. A run is [first_seq, first_prev, first_key, next_seq, last_hash]. */
static int extend_run(PyObject *runs, PyObject *closed, PyObject *stream, PyObject *seq, PyObject *prev,
                      PyObject *digest, PyObject *one) {
    PyObject *run = PyDict_GetItemWithError(runs, stream); /* borrowed */
    if (run == NULL && PyErr_Occurred()) return -1;
    if (run != NULL) {
        if (!PyList_CheckExact(run) || PyList_GET_SIZE(run) != 5) {
            PyErr_SetString(PyExc_TypeError, "a run is a list of 5");
            return -1;
        }
        int continues = PyObject_RichCompareBool(PyList_GET_ITEM(run, 3), seq, Py_EQ);
        if (continues == 1) continues = PyObject_RichCompareBool(PyList_GET_ITEM(run, 4), prev, Py_EQ);
        if (continues < 0) return -1;
        if (continues) {
            PyObject *next = PyNumber_Add(seq, one);
            if (next == NULL) return -1;
            PyList_SetItem(run, 3, next); /* steals next */
            PyList_SetItem(run, 4, Py_NewRef(digest));
            return 0;
        }
        PyObject *ended = PyTuple_Pack(2, stream, run);
        if (ended == NULL) return -1;
        int appended = PyList_Append(closed, ended);
        Py_DECREF(ended);
        if (appended < 0) return -1;
    }
    PyObject *next = PyNumber_Add(seq, one);
    if (next == NULL) return -1;
    PyObject *opened = PyList_New(5);
    if (opened == NULL) {
        Py_DECREF(next);
        return -1;
    }
    PyList_SET_ITEM(opened, 0, Py_NewRef(seq));
    PyList_SET_ITEM(opened, 1, Py_NewRef(prev));
    PyList_SET_ITEM(opened, 2, Py_NewRef(digest));
    PyList_SET_ITEM(opened, 3, next);
    PyList_SET_ITEM(opened, 4, Py_NewRef(digest));
    int stored = PyDict_SetItem(runs, stream, opened);
    Py_DECREF(opened);
    return stored;
}

/* Append id || stored hash (the row's tie to its leaf) to records. */
static int keep_record(PyObject *records, PyObject *id, PyObject *stored) {
    if (!PyBytes_Check(id)) {
        PyErr_SetString(PyExc_TypeError, "an entry id is bytes");
        return -1;
    }
    Py_ssize_t at = PyByteArray_GET_SIZE(records), id_len = PyBytes_GET_SIZE(id);
    if (PyByteArray_Resize(records, at + id_len + HASH_SIZE) < 0) return -1;
    char *out = PyByteArray_AS_STRING(records) + at;
    memcpy(out, PyBytes_AS_STRING(id), (size_t)id_len);
    memcpy(out + id_len, PyBytes_AS_STRING(stored), HASH_SIZE);
    return 0;
}

/* check_entries(rows, tails, runs, closed, records, agency, seq_prefix, before_first, before_prev,
 * then_recorded, instant) -> the index of the first row that does not hold, or -1 when every row holds.
 *
 * Each row is (canonical, stored hash, stream, seq, prev, type), and its id (bytes) seventh when ``records``
 * is a bytearray, which then gets id || stored hash of each row that holds; ``tails`` maps (stream, type) to
 * how such an entry ends (a dict whose __missing__ makes the value). Every row before the first wrong one
 * extends the chain runs (see extend_run). The rules are those of verify.entry_problem and
 * verify._check_in_python. */
static PyObject *check_entries(PyObject *self, PyObject *args) {
    PyObject *given, *tails, *runs, *closed, *records, *rows = NULL, *one = NULL, *result = NULL;
    Shape shape;
    if (!PyArg_ParseTuple(args, "OOO!O!Oy*y*y*y*y*n", &given, &tails, &PyDict_Type, &runs, &PyList_Type, &closed,
                          &records, &shape.agency, &shape.seq_prefix, &shape.before_first, &shape.before_prev,
                          &shape.then_recorded, &shape.instant))
        return NULL;
    int keeping = records != Py_None;
    if (keeping && !PyByteArray_CheckExact(records)) {
        PyErr_SetString(PyExc_TypeError, "records is a bytearray or None");
        records = NULL;
    }
    Hasher h;
    int hashing = 0, failed = 0;
    Py_ssize_t found = -1;
    if (records == NULL) goto done;
    rows = PySequence_Fast(given, "rows are a sequence");
    one = PyLong_FromLong(1);
    if (rows == NULL || one == NULL || hasher_open(&h) < 0) goto done;
    hashing = 1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(rows);
    PyObject **items = PySequence_Fast_ITEMS(rows);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = items[i];
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 6 + keeping) {
            PyErr_SetString(PyExc_TypeError, "a row is (canonical, hash, stream, seq, prev, type[, id])");
            goto done;
        }
        PyObject *stream = PyTuple_GET_ITEM(row, 2), *seq = PyTuple_GET_ITEM(row, 3),
                 *prev = PyTuple_GET_ITEM(row, 4);
        PyObject *key = PyTuple_Pack(2, stream, PyTuple_GET_ITEM(row, 5));
        PyObject *tail = key == NULL ? NULL : PyObject_GetItem(tails, key);
        Py_XDECREF(key);
        if (tail == NULL) goto done;
        int holds = entry_holds(&h, &shape, PyTuple_GET_ITEM(row, 0), PyTuple_GET_ITEM(row, 1), seq, prev, tail,
                                &failed);
        Py_DECREF(tail);
        if (failed) goto done;
        if (!holds) {
            found = i;
            break;
        }
        if (extend_run(runs, closed, stream, seq, prev, PyTuple_GET_ITEM(row, 1), one) < 0) goto done;
        if (keeping && keep_record(records, PyTuple_GET_ITEM(row, 6), PyTuple_GET_ITEM(row, 1)) < 0) goto done;
    }
    result = PyLong_FromSsize_t(found);
done:
    if (hashing) hasher_close(&h);
    Py_XDECREF(rows);
    Py_XDECREF(one);
    PyBuffer_Release(&shape.agency);
    PyBuffer_Release(&shape.seq_prefix);
    PyBuffer_Release(&shape.before_first);
    PyBuffer_Release(&shape.before_prev);
    PyBuffer_Release(&shape.then_recorded);
    return result;
}

static size_t record_width; /* for compare_records: qsort has no context argument; the GIL is held throughout */

static int compare_records(const void *a, const void *b) { return memcmp(a, b, record_width); }

/* sort_records(records, width) -> the same records of ``width`` bytes, in ascending byte order. */
static PyObject *sort_records(PyObject *self, PyObject *args) {
    Py_buffer a;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "y*n", &a, &width)) return NULL;
    PyObject *out = NULL;
    if (width <= 0) {
        PyErr_SetString(PyExc_ValueError, "a record has a positive width");
    } else if (a.len % width != 0) {
        PyErr_SetString(PyExc_ValueError, "not a whole number of records");
    } else if ((out = PyBytes_FromStringAndSize(a.buf, a.len)) != NULL) {
        record_width = (size_t)width;
        qsort(PyBytes_AS_STRING(out), (size_t)(a.len / width), (size_t)width, compare_records);
    }
    PyBuffer_Release(&a);
    return out;
}

/* record_fields(records, width, offset, size) -> bytes [offset, offset + size) of every record of ``width``
 * bytes, concatenated (the leaves' hashes out of their tie records). */
static PyObject *record_fields(PyObject *self, PyObject *args) {
    Py_buffer a;
    Py_ssize_t width, offset, size;
    if (!PyArg_ParseTuple(args, "y*nnn", &a, &width, &offset, &size)) return NULL;
    PyObject *out = NULL;
    if (width <= 0 || offset < 0 || size < 0 || offset > width || size > width - offset) {
        PyErr_SetString(PyExc_ValueError, "the field is not within a record");
    } else if (a.len % width != 0) {
        PyErr_SetString(PyExc_ValueError, "not a whole number of records");
    } else if ((out = PyBytes_FromStringAndSize(NULL, a.len / width * size)) != NULL) {
        char *to = PyBytes_AS_STRING(out);
        for (Py_ssize_t at = 0; at < a.len; at += width, to += size) memcpy(to, (const char *)a.buf + at + offset, (size_t)size);
    }
    PyBuffer_Release(&a);
    return out;
}

/* One side of same_records: its parts, each a string of records, merged as sorted runs. */
typedef struct {
    Py_buffer *parts;
    Py_ssize_t *at;
    Py_ssize_t count;
    Py_ssize_t opened;
    Py_ssize_t length;
    int whole; /* every part is a whole number of records */
} Side;

static int side_open(Side *side, PyObject *sequence, Py_ssize_t width) {
    PyObject *fast = PySequence_Fast(sequence, "the parts of a side are a sequence of bytes");
    if (fast == NULL) return -1;
    side->count = PySequence_Fast_GET_SIZE(fast);
    side->whole = 1;
    side->parts = PyMem_Calloc((size_t)side->count + 1, sizeof(Py_buffer));
    side->at = PyMem_Calloc((size_t)side->count + 1, sizeof(Py_ssize_t));
    if (side->parts == NULL || side->at == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < side->count; i++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(fast, i), &side->parts[i], PyBUF_SIMPLE) < 0) {
            Py_DECREF(fast);
            return -1;
        }
        side->opened++;
        side->length += side->parts[i].len;
        if (side->parts[i].len % width != 0) side->whole = 0;
    }
    Py_DECREF(fast);
    return 0;
}

static void side_close(Side *side) {
    for (Py_ssize_t i = 0; i < side->opened; i++) PyBuffer_Release(&side->parts[i]);
    PyMem_Free(side->parts);
    PyMem_Free(side->at);
}

/* The side's least unread record (and which part it is in), or NULL when every part is read. */
static const char *side_next(Side *side, Py_ssize_t width, Py_ssize_t *part) {
    const char *least = NULL;
    for (Py_ssize_t i = 0; i < side->count; i++) {
        if (side->at[i] >= side->parts[i].len) continue;
        const char *head = (const char *)side->parts[i].buf + side->at[i];
        if (least == NULL || memcmp(head, least, (size_t)width) < 0) {
            least = head;
            *part = i;
        }
    }
    return least;
}

/* same_records(a_parts, b_parts, width) -> whether the records of ``width`` bytes in the parts of a are those in
 * the parts of b. Each side is read as one sequence by merging its parts as sorted runs, and the two sequences are
 * compared record by record: each is a permutation of its side's records, so True is right whatever the order of
 * the parts; with parts sorted (sort_records) it is also True whenever the sides hold the same records. False
 * when a part is not a whole number of records. */
static PyObject *same_records(PyObject *self, PyObject *args) {
    PyObject *a_parts, *b_parts;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "OOn", &a_parts, &b_parts, &width)) return NULL;
    if (width <= 0) {
        PyErr_SetString(PyExc_ValueError, "a record has a positive width");
        return NULL;
    }
    Side a = {0}, b = {0};
    PyObject *result = NULL;
    if (side_open(&a, a_parts, width) == 0 && side_open(&b, b_parts, width) == 0) {
        int same = a.whole && b.whole && a.length == b.length;
        Py_ssize_t pa = 0, pb = 0;
        while (same) {
            const char *x = side_next(&a, width, &pa), *y = side_next(&b, width, &pb);
            if (x == NULL || y == NULL) {
                same = x == y;
                break;
            }
            same = memcmp(x, y, (size_t)width) == 0;
            a.at[pa] += width;
            b.at[pb] += width;
        }
        result = Py_NewRef(same ? Py_True : Py_False);
    }
    side_close(&a);
    side_close(&b);
    return result;
}

static PyMethodDef methods[] = {
    {"node_hashes", node_hashes, METH_VARARGS, "The level above a level of 32-byte hashes (pairs only)."},
    {"record_fields", record_fields, METH_VARARGS, "One field of every fixed-width record, concatenated."},
    {"sort_records", sort_records, METH_VARARGS, "The same fixed-width records, in ascending byte order."},
    {"same_records", same_records, METH_VARARGS, "Whether two sides' fixed-width records are the same (parts merged)."},
    {"check_entries", check_entries, METH_VARARGS,
     "Check entry rows and extend the chain runs; the index of the first row that does not hold, or -1."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
