/* A small JSON parser for QMP: the whole text into a fixed table of
 * nodes that point back into it; strings are decoded on demand.
 *
 * Invariant: any input ends in a node table or -1: depth, node count and
 * length are bounded, nothing is allocated and nothing reads past n.
 */
#include "vm/json.h"

#include <stdio.h>
#include <string.h>

struct parser {
    const char *s;
    size_t n, pos;
    struct json_doc *d;
    unsigned depth;
};

static void skip_ws(struct parser *p)
{
    while (p->pos < p->n && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
        p->pos++;
}

static int new_node(struct parser *p, enum json_type t)
{
    if (p->d->count >= JSON_MAX_NODES)
        return -1;
    int i = (int)p->d->count++;
    p->d->node[i] = (struct json_node){.type = t, .start = p->pos, .first = -1, .next = -1, .key = -1};
    return i;
}

static int hex4(const char *s, size_t avail, unsigned *out)
{
    unsigned v = 0;
    if (avail < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 0;
}

static int parse_value(struct parser *p);

static int parse_string(struct parser *p)
{
    int i = new_node(p, JSON_STRING);
    if (i < 0)
        return -1;
    for (p->pos++; p->pos < p->n; p->pos++) {
        unsigned char c = (unsigned char)p->s[p->pos];
        unsigned u;
        if (c == '"') {
            p->d->node[i].end = ++p->pos;
            return i;
        }
        if (c < 0x20)
            return -1;
        if (c != '\\')
            continue;
        if (++p->pos >= p->n)
            return -1;
        c = (unsigned char)p->s[p->pos];
        if (c == 'u') {
            if (hex4(p->s + p->pos + 1, p->n - p->pos - 1, &u) < 0)
                return -1;
            p->pos += 4;
        } else if (!strchr("\"\\/bfnrt", c) || !c) {
            return -1;
        }
    }
    return -1;
}

static int parse_container(struct parser *p, bool object)
{
    int i = new_node(p, object ? JSON_OBJECT : JSON_ARRAY), last = -1;
    if (i < 0 || ++p->depth > JSON_MAX_DEPTH)
        return -1;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->n && p->s[p->pos] == (object ? '}' : ']')) {
        p->pos++;
        goto done;
    }
    for (;;) {
        int key = -1, v;
        skip_ws(p);
        if (object) {
            if (p->pos >= p->n || p->s[p->pos] != '"' || (key = parse_string(p)) < 0)
                return -1;
            skip_ws(p);
            if (p->pos >= p->n || p->s[p->pos++] != ':')
                return -1;
        }
        if ((v = parse_value(p)) < 0)
            return -1;
        p->d->node[v].key = key;
        if (last < 0)
            p->d->node[i].first = v;
        else
            p->d->node[last].next = v;
        last = v;
        skip_ws(p);
        if (p->pos >= p->n)
            return -1;
        char c = p->s[p->pos++];
        if (c == (object ? '}' : ']'))
            break;
        if (c != ',')
            return -1;
    }
done:
    p->depth--;
    p->d->node[i].end = p->pos;
    return i;
}

static int parse_word(struct parser *p, const char *w, enum json_type t)
{
    size_t l = strlen(w);
    if (p->n - p->pos < l || memcmp(p->s + p->pos, w, l))
        return -1;
    int i = new_node(p, t);
    if (i >= 0)
        p->d->node[i].end = p->pos += l;
    return i;
}

static int parse_number(struct parser *p)
{
    int i = new_node(p, JSON_NUMBER);
    size_t start = p->pos;
    if (i < 0)
        return -1;
    if (p->pos < p->n && p->s[p->pos] == '-')
        p->pos++;
    size_t digits = p->pos;
    while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        p->pos++;
    if (p->pos == digits)
        return -1;
    while (p->pos < p->n && strchr("0123456789.eE+-", p->s[p->pos]) && p->s[p->pos])
        p->pos++;
    p->d->node[i].end = p->pos;
    return p->pos - start > 40 ? -1 : i;
}

static int parse_value(struct parser *p)
{
    skip_ws(p);
    if (p->pos >= p->n)
        return -1;
    switch (p->s[p->pos]) {
    case '{': return parse_container(p, true);
    case '[': return parse_container(p, false);
    case '"': return parse_string(p);
    case 't': return parse_word(p, "true", JSON_TRUE);
    case 'f': return parse_word(p, "false", JSON_FALSE);
    case 'n': return parse_word(p, "null", JSON_NULL);
    default: return parse_number(p);
    }
}

int json_parse(const char *s, size_t n, struct json_doc *d)
{
    struct parser p = {.s = s, .n = n, .d = d};
    d->text = s;
    d->count = 0;
    if (parse_value(&p) != 0)
        return -1;
    skip_ws(&p);
    return p.pos == n ? 0 : -1;
}

int json_get(const struct json_doc *d, int obj, const char *key)
{
    if (obj < 0 || d->node[obj].type != JSON_OBJECT)
        return -1;
    size_t kl = strlen(key);
    for (int c = d->node[obj].first; c >= 0; c = d->node[c].next) {
        const struct json_node *k = &d->node[d->node[c].key];
        if (k->end - k->start == kl + 2 && !memcmp(d->text + k->start + 1, key, kl))
            return c;
    }
    return -1;
}

/* Decodes a string node (escapes, \u as UTF-8); -1 when it does not fit. */
int json_string(const struct json_doc *d, int i, char *out, size_t len)
{
    if (i < 0 || d->node[i].type != JSON_STRING)
        return -1;
    size_t o = 0;
    for (size_t k = d->node[i].start + 1; k + 1 < d->node[i].end; k++) {
        char c = d->text[k];
        unsigned u = 0;
        char enc[4];
        size_t m = 1;
        if (c == '\\') {
            c = d->text[++k];
            if (c == 'u') {
                hex4(d->text + k + 1, 4, &u);
                k += 4;
                if (u < 0x80) {
                    enc[0] = (char)u;
                } else if (u < 0x800) {
                    enc[0] = (char)(0xc0 | u >> 6), enc[1] = (char)(0x80 | (u & 0x3f)), m = 2;
                } else {
                    enc[0] = (char)(0xe0 | u >> 12), enc[1] = (char)(0x80 | ((u >> 6) & 0x3f));
                    enc[2] = (char)(0x80 | (u & 0x3f)), m = 3;
                }
            } else {
                enc[0] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
            }
        } else {
            enc[0] = c;
        }
        if (o + m >= len)
            return -1;
        memcpy(out + o, enc, m);
        o += m;
    }
    out[o] = 0;
    return (int)o;
}

size_t json_escape(const char *in, size_t n, char *out, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 7 < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '"' || c == '\\')
            out[o++] = '\\', out[o++] = (char)c;
        else if (c == '\n')
            out[o++] = '\\', out[o++] = 'n';
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = 0;
    return o;
}
