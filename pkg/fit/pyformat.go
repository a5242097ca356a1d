package fit

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// FormatPath fills a Keras ModelCheckpoint file name template, a Python
// str.format string such as "weights.{epoch:02d}-{val_loss:.2f}", with
// the given values. Fields are names only ({epoch}, {val_loss}, {name}),
// with an optional format spec: [sign][0][width][.precision][type], sign
// '+', '-' or ' ', a leading 0 for zero padding, types d (integers), f F
// (fixed), e E (exponent), % (percent) or none; "{{" and "}}" are literal
// braces. Values follow Python's rules: {x} of a float is its repr ("0.1",
// "1e-05", "3.0") and {epoch:.2f} of an int formats it as a float. What
// no checkpoint name needs (alignment and fill, grouping, the alternate
// form, the g and n types, a precision without a type) is an error, as
// are an unknown name and a bad spec, each naming it.
func FormatPath(template string, values map[string]any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		c := template[i]
		if (c == '{' || c == '}') && i+1 < len(template) && template[i+1] == c {
			b.WriteByte(c) // "{{" or "}}"
			i++
			continue
		}
		if c == '}' {
			return "", fmt.Errorf("fit: template %q: single '}' encountered", template)
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(template[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("fit: template %q: single '{' encountered", template)
		}
		field := template[i+1 : i+end]
		i += end
		name, spec, _ := strings.Cut(field, ":")
		if name == "" || strings.ContainsAny(name, "!.[{") {
			return "", fmt.Errorf("fit: template %q: field {%s} must be a plain name such as {epoch} or {val_loss:.2f}", template, field)
		}
		v, ok := values[name]
		if !ok {
			return "", fmt.Errorf("fit: template %q: no value named %q (have %s)", template, name, strings.Join(slices.Sorted(maps.Keys(values)), ", "))
		}
		s, err := formatValue(v, spec)
		if err != nil {
			return "", fmt.Errorf("fit: template %q: field {%s}: %w", template, field, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// formatSpec is a parsed [sign][0][width][.precision][type].
type formatSpec struct {
	sign      byte // 0, '+', '-', ' '
	zero      bool // pad with zeros after the sign
	width     int
	precision int // -1: unset
	typ       byte
}

func parseSpec(spec string) (formatSpec, error) {
	f := formatSpec{precision: -1}
	s := spec
	if len(s) > 0 && (s[0] == '+' || s[0] == '-' || s[0] == ' ') {
		f.sign, s = s[0], s[1:]
	}
	if len(s) > 0 && s[0] == '0' {
		f.zero, s = true, s[1:]
	}
	digits := func() (int, bool) {
		j := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(s[:j])
		s = s[j:]
		return n, j > 0
	}
	f.width, _ = digits()
	if len(s) > 0 && s[0] == '.' {
		s = s[1:]
		var ok bool
		if f.precision, ok = digits(); !ok {
			return f, fmt.Errorf("format specifier missing precision")
		}
	}
	switch {
	case len(s) > 1 || len(s) == 1 && !strings.Contains("dfFeE%", s):
		return f, fmt.Errorf("invalid or unsupported format specifier %q (checkpoint names take [sign][0][width][.precision] and d, f, F, e, E or %%)", spec)
	case len(s) == 1:
		f.typ = s[0]
	case f.precision >= 0:
		return f, fmt.Errorf("unsupported format specifier %q: a precision needs a type (f, e or %%)", spec)
	}
	return f, nil
}

func formatValue(v any, spec string) (string, error) {
	f, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	var body string
	var neg bool
	switch x := v.(type) {
	case int:
		body, neg, err = formatInt(int64(x), f)
	case int64:
		body, neg, err = formatInt(x, f)
	case float64:
		body, neg, err = formatFloat(x, f)
	case float32:
		body, neg, err = formatFloat(float64(x), f)
	case string:
		if f.typ != 0 || f.sign != 0 {
			return "", fmt.Errorf("format %q does not apply to a string", spec)
		}
		return x + strings.Repeat(" ", max(0, f.width-len(x))), nil
	default:
		return "", fmt.Errorf("cannot format value of type %T", v)
	}
	if err != nil {
		return "", err
	}
	sign := ""
	switch {
	case neg:
		sign = "-"
	case f.sign == '+' || f.sign == ' ':
		sign = string(f.sign)
	}
	n := max(0, f.width-len(sign)-len(body))
	if f.zero {
		return sign + strings.Repeat("0", n) + body, nil
	}
	return strings.Repeat(" ", n) + sign + body, nil
}

func formatInt(x int64, f formatSpec) (string, bool, error) {
	if f.typ != 0 && f.typ != 'd' {
		return formatFloat(float64(x), f)
	}
	if f.precision >= 0 {
		return "", false, fmt.Errorf("precision not allowed in integer format specifier")
	}
	neg := x < 0
	u := uint64(x)
	if neg {
		u = -u
	}
	return strconv.FormatUint(u, 10), neg, nil
}

func formatFloat(x float64, f formatSpec) (string, bool, error) {
	neg := math.Signbit(x) && !math.IsNaN(x)
	a := math.Abs(x)
	p := f.precision
	if p < 0 {
		p = 6
	}
	var s string
	switch {
	case f.typ == 'd':
		return "", false, fmt.Errorf("unknown format code 'd' for a float")
	case math.IsNaN(a):
		s = "nan"
	case math.IsInf(a, 0):
		s = "inf"
	case f.typ == 'f' || f.typ == 'F':
		s = strconv.FormatFloat(a, 'f', p, 64)
	case f.typ == 'e' || f.typ == 'E':
		s = strconv.FormatFloat(a, 'e', p, 64)
	case f.typ == '%':
		s = strconv.FormatFloat(a*100, 'f', p, 64)
	default:
		s = pyRepr(a)
	}
	if f.typ == '%' {
		s += "%"
	}
	if f.typ == 'F' || f.typ == 'E' {
		s = strings.ToUpper(s)
	}
	return s, neg, nil
}

// pyRepr formats a non-negative finite float as Python's repr does: the
// shortest digits that round-trip, in fixed notation when the exponent is
// in [-4, 16), else as d.ddde±XX; integral values keep ".0".
func pyRepr(a float64) string {
	e := strconv.FormatFloat(a, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	switch {
	case exp < -4 || exp >= 16:
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	case exp < 0:
		return "0." + strings.Repeat("0", -exp-1) + digits
	case len(digits) <= exp+1:
		return digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return digits[:exp+1] + "." + digits[exp+1:]
}
