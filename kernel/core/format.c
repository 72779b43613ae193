/* Formatted output for the kernel: see fv/format.h for what is supported. */
#include <stdbool.h>
#include <stdint.h>

#include <fv/format.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, written or not */
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision; /* -1: none given */
	char length;   /* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j', 0 */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_padded(struct out *o, const struct spec *s, const char *prefix, const char *body,
                       int body_len, int zeros)
{
	int prefix_len = 0;
	while (prefix[prefix_len])
		prefix_len++;
	int pad = s->width - prefix_len - zeros - body_len;
	if (!s->left)
		put_repeat(o, ' ', pad);
	for (int i = 0; i < prefix_len; i++)
		put(o, prefix[i]);
	put_repeat(o, '0', zeros);
	for (int i = 0; i < body_len; i++)
		put(o, body[i]);
	if (s->left)
		put_repeat(o, ' ', pad);
}

static void put_number(struct out *o, const struct spec *s, uint64_t value, bool negative,
                       unsigned base, bool upper, char conv)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	/* Precision 0 with value 0 prints no digits (C11 7.21.6.1). */
	if (value != 0 || s->precision != 0) {
		do {
			tmp[n++] = digits[value % base];
			value /= base;
		} while (value);
	}
	char body[24];
	for (int i = 0; i < n; i++)
		body[i] = tmp[n - 1 - i];

	const char *prefix = "";
	if (negative)
		prefix = "-";
	else if (s->plus && (conv == 'd' || conv == 'i'))
		prefix = "+";
	else if (s->space && (conv == 'd' || conv == 'i'))
		prefix = " ";
	else if (s->alt && base == 16 && n > 0 && !(n == 1 && body[0] == '0'))
		prefix = upper ? "0X" : "0x";
	else if (conv == 'p')
		prefix = "0x";

	int zeros = 0;
	if (s->precision >= 0) {
		zeros = s->precision > n ? s->precision - n : 0;
	} else if (s->zero && !s->left) {
		int prefix_len = prefix[0] ? (prefix[1] ? 2 : 1) : 0;
		zeros = s->width - prefix_len - n;
		if (zeros < 0)
			zeros = 0;
	}
	if (s->alt && base == 8 && zeros == 0 && (n == 0 || body[0] != '0'))
		zeros = 1;
	put_padded(o, s, prefix, body, n, zeros);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int n = 0;
	while (str[n] && (s->precision < 0 || n < s->precision))
		n++;
	put_padded(o, s, "", str, n, 0);
}

static const char *parse_flags(const char *f, struct spec *s)
{
	for (;; f++) {
		switch (*f) {
		case '-':
			s->left = true;
			break;
		case '0':
			s->zero = true;
			break;
		case '+':
			s->plus = true;
			break;
		case ' ':
			s->space = true;
			break;
		case '#':
			s->alt = true;
			break;
		default:
			return f;
		}
	}
}

static const char *parse_int(const char *f, int *value, va_list *ap)
{
	if (*f == '*') {
		int v = va_arg(*ap, int);
		*value = v > FORMAT_MAX_FIELD    ? FORMAT_MAX_FIELD
		         : v < -FORMAT_MAX_FIELD ? -FORMAT_MAX_FIELD
		                                 : v;
		return f + 1;
	}
	int v = 0;
	for (; *f >= '0' && *f <= '9'; f++)
		if (v <= FORMAT_MAX_FIELD)
			v = v * 10 + (*f - '0');
	*value = v > FORMAT_MAX_FIELD ? FORMAT_MAX_FIELD : v;
	return f;
}

static const char *parse_length(const char *f, struct spec *s)
{
	switch (*f) {
	case 'h':
		s->length = f[1] == 'h' ? 'H' : 'h';
		return f + (f[1] == 'h' ? 2 : 1);
	case 'l':
		s->length = f[1] == 'l' ? 'L' : 'l';
		return f + (f[1] == 'l' ? 2 : 1);
	case 'z':
	case 't':
	case 'j':
		s->length = *f;
		return f + 1;
	default:
		return f;
	}
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){.precision = -1};
	f = parse_flags(f, s);
	f = parse_int(f, &s->width, ap);
	if (s->width < 0) {
		s->left = true;
		s->width = -s->width;
	}
	if (*f == '.') {
		f = parse_int(f + 1, &s->precision, ap);
		if (s->precision < 0)
			s->precision = -1;
	}
	return parse_length(f, s);
}

static int64_t fetch_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z':
		return (int64_t)va_arg(*ap, size_t);
	case 't':
		return va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t fetch_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 't':
		return (uint64_t)va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static void convert(struct out *o, const struct spec *s, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(s, ap);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		put_number(o, s, mag, v < 0, 10, false, conv);
		break;
	}
	case 'u':
		put_number(o, s, fetch_unsigned(s, ap), false, 10, false, conv);
		break;
	case 'x':
		put_number(o, s, fetch_unsigned(s, ap), false, 16, false, conv);
		break;
	case 'X':
		put_number(o, s, fetch_unsigned(s, ap), false, 16, true, conv);
		break;
	case 'o':
		put_number(o, s, fetch_unsigned(s, ap), false, 8, false, conv);
		break;
	case 'p':
		put_number(o, s, (uintptr_t)va_arg(*ap, void *), false, 16, false, conv);
		break;
	case 's':
		put_string(o, s, va_arg(*ap, const char *));
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		put_padded(o, s, "", &c, 1, 0);
		break;
	}
	case '%':
		put(o, '%');
		break;
	default:
		/* Unknown conversion: print it as written so the mistake shows. */
		put(o, '%');
		if (conv)
			put(o, conv);
		break;
	}
}

int fv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {.buf = buf, .size = size, .len = 0};
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		struct spec s;
		fmt = parse_spec(fmt + 1, &s, &args);
		char conv = *fmt;
		if (conv)
			fmt++;
		convert(&o, &s, conv, &args);
	}
	va_end(args);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int fv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
