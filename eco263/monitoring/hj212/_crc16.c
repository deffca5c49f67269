/*
 * CRC16 for HJ 212 frames, as a tiny CPython extension.
 *
 * hj212(data)  -- the CRC of HJ 212-2017 Appendix A (also used by HJ/T 212-2005):
 *                 R = 0xFFFF; for each byte b: R = T[(R >> 8) ^ b].
 *                 Before each byte the low byte of R is thrown away; this is NOT Modbus.
 * modbus(data) -- plain CRC-16/MODBUS: R = 0xFFFF; R = (R >> 8) ^ T[(R ^ b) & 0xFF].
 *
 * T is the reflected table of polynomial 0xA001 (the Modbus table).
 *
 * Speed: in hj212() only the high byte h = R >> 8 carries from one byte to the next,
 * h' = Thi[h ^ b] with Thi = T >> 8, and Thi is linear over GF(2) (Thi[a ^ b] = Thi[a] ^ Thi[b]).
 * So 8 bytes at once: h(i+8) = T8[h ^ b0] ^ T7[b1] ^ ... ^ T1[b7], where Tk is Thi applied k
 * times ("slicing-by-8"). Only one table load per 8 bytes depends on h; the loop was latency
 * bound with one dependent load per byte. The last byte uses the full 16-bit T.
 *
 * Both functions accept
 * any object supporting the buffer protocol (bytes, bytearray, memoryview) and return an int
 * in 0..0xFFFF. The pure-Python twin in crc.py is the reference; tests compare the two.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static uint16_t table[256];
static uint8_t high[9][256]; /* high[k] = Thi applied k times; high[0] unused */

static void
build_table(void)
{
    for (unsigned int i = 0; i < 256; i++) {
        uint16_t r = (uint16_t)i;
        for (int k = 0; k < 8; k++) {
            r = (r & 1u) ? (uint16_t)((r >> 1) ^ 0xA001u) : (uint16_t)(r >> 1);
        }
        table[i] = r;
        high[1][i] = (uint8_t)(r >> 8);
    }
    for (int k = 2; k <= 8; k++) {
        for (unsigned int i = 0; i < 256; i++) {
            high[k][i] = high[1][high[k - 1][i]];
        }
    }
}

static uint16_t
hj212_crc(const unsigned char *p, Py_ssize_t n)
{
    if (n == 0) {
        return 0xFFFFu;
    }
    unsigned int h = 0xFFu; /* high byte of the register R = 0xFFFF */
    Py_ssize_t i = 0;
    Py_ssize_t last = n - 1; /* the last byte needs the full 16-bit table */
    for (; i + 8 <= last; i += 8) {
        h = high[8][h ^ p[i]] ^ high[7][p[i + 1]] ^ high[6][p[i + 2]] ^ high[5][p[i + 3]]
            ^ high[4][p[i + 4]] ^ high[3][p[i + 5]] ^ high[2][p[i + 6]] ^ high[1][p[i + 7]];
    }
    for (; i < last; i++) {
        h = high[1][h ^ p[i]];
    }
    return table[h ^ p[last]];
}

static PyObject *
crc_hj212(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    uint16_t r = hj212_crc((const unsigned char *)view.buf, view.len);
    PyBuffer_Release(&view);
    return PyLong_FromLong((long)r);
}

static PyObject *
crc_modbus(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)view.buf;
    Py_ssize_t n = view.len;
    uint16_t r = 0xFFFFu;
    for (Py_ssize_t i = 0; i < n; i++) {
        r = (uint16_t)((r >> 8) ^ table[(r ^ p[i]) & 0xFFu]);
    }
    PyBuffer_Release(&view);
    return PyLong_FromLong((long)r);
}

static PyMethodDef methods[] = {
    {"hj212", crc_hj212, METH_O,
     "hj212(data, /) -> int\n--\n\nHJ 212 CRC16 (Appendix A) of a bytes-like object."},
    {"modbus", crc_modbus, METH_O,
     "modbus(data, /) -> int\n--\n\nCRC-16/MODBUS of a bytes-like object."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "_crc16",
    "C implementation of the HJ 212 and Modbus CRC16 (see crc.py).",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__crc16(void)
{
    build_table();
    return PyModule_Create(&module_def);
}
