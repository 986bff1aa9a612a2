/* A small JSON parser and string escaping for QMP (json.c). */
#ifndef PCVM_JSON_H
#define PCVM_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_NODES 512
#define JSON_MAX_DEPTH 32

enum json_type { JSON_NULL, JSON_TRUE, JSON_FALSE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_node {
    enum json_type type;
    size_t start, end; /* the value's text: text[start, end) */
    int first, next;   /* containers: first member; members: the next one (-1: none) */
    int key;           /* object members: the key's string node */
};

struct json_doc {
    const char *text;
    struct json_node node[JSON_MAX_NODES];
    unsigned count; /* node 0 is the top value */
};

/* Parses exactly one value filling all of s[0, n); 0, or -1 when it is
 * not JSON (or too deep, too big). */
int json_parse(const char *s, size_t n, struct json_doc *d);
/* The member of object obj named key; -1 when there is none. */
int json_get(const struct json_doc *d, int obj, const char *key);
/* String node i decoded into out; its length, or -1 (not a string, too long). */
int json_string(const struct json_doc *d, int i, char *out, size_t len);
/* in[0, n) as the inside of a JSON string; the length written (out is cut
 * short, never overrun, when too small). */
size_t json_escape(const char *in, size_t n, char *out, size_t len);

#endif
