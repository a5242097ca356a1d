package fit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatPath fills a Python str.format template such as
// "weights.{epoch:02d}-{val_loss:.2f}" with the given values: Keras's
// ModelCheckpoint file names. Fields are names only ({epoch}, {val_loss}),
// with an optional format spec in Python's mini-language
// ([[fill]align][sign][0][width][.precision][type], types d e E f F g G %
// and none); "{{" and "}}" are literal braces. Integers (int, int64) and
// floats follow Python's rules, e.g. {x} of a float is its repr ("0.1",
// "1e-05", "3.0") and {epoch:.2f} of an int formats it as a float. An
// unknown name or a bad spec is an error naming it.
func FormatPath(template string, values map[string]any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		c := template[i]
		switch c {
		case '{':
			if i+1 < len(template) && template[i+1] == '{' {
				b.WriteByte('{')
				i++
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
				return "", fmt.Errorf("fit: template %q: no value named %q (have %s)", template, name, keysOf(values))
			}
			s, err := formatValue(v, spec)
			if err != nil {
				return "", fmt.Errorf("fit: template %q: field {%s}: %w", template, field, err)
			}
			b.WriteString(s)
		case '}':
			if i+1 < len(template) && template[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", fmt.Errorf("fit: template %q: single '}' encountered", template)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func keysOf(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return strings.Join(keys, ", ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

type formatSpec struct {
	fill      rune
	align     byte // 0, '<', '>', '^', '='
	sign      byte // 0, '+', '-', ' '
	alt       bool
	width     int
	comma     bool
	precision int // -1: unset
	typ       byte
}

func parseSpec(spec string) (formatSpec, error) {
	f := formatSpec{fill: ' ', precision: -1}
	s := spec
	isAlign := func(c byte) bool { return c == '<' || c == '>' || c == '^' || c == '=' }
	if len(s) >= 2 && isAlign(s[1]) {
		f.fill, f.align, s = rune(s[0]), s[1], s[2:]
	} else if len(s) >= 1 && isAlign(s[0]) {
		f.align, s = s[0], s[1:]
	}
	if len(s) > 0 && (s[0] == '+' || s[0] == '-' || s[0] == ' ') {
		f.sign, s = s[0], s[1:]
	}
	if len(s) > 0 && s[0] == '#' {
		f.alt, s = true, s[1:]
	}
	if len(s) > 0 && s[0] == '0' {
		if f.align == 0 {
			f.fill, f.align = '0', '='
		}
		s = s[1:]
	}
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j > 0 {
		f.width, _ = strconv.Atoi(s[:j])
		s = s[j:]
	}
	if len(s) > 0 && s[0] == ',' {
		f.comma, s = true, s[1:]
	}
	if len(s) > 0 && s[0] == '.' {
		j = 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 1 {
			return f, fmt.Errorf("format specifier missing precision")
		}
		f.precision, _ = strconv.Atoi(s[1:j])
		s = s[j:]
	}
	if len(s) > 1 {
		return f, fmt.Errorf("invalid format specifier %q", spec)
	}
	if len(s) == 1 {
		f.typ = s[0]
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
		if f.typ != 0 && f.typ != 's' {
			return "", fmt.Errorf("unknown format code '%c' for a string", f.typ)
		}
		if f.precision >= 0 && f.precision < len(x) {
			x = x[:f.precision]
		}
		if f.align == 0 {
			f.align = '<'
		}
		return pad("", x, f), nil
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
	case f.sign == '+':
		sign = "+"
	case f.sign == ' ':
		sign = " "
	}
	if f.align == 0 {
		f.align = '>'
	}
	return pad(sign, body, f), nil
}

func pad(sign, body string, f formatSpec) string {
	n := f.width - len(sign) - len(body)
	if n <= 0 {
		return sign + body
	}
	fill := strings.Repeat(string(f.fill), n)
	switch f.align {
	case '<':
		return sign + body + fill
	case '^':
		left := strings.Repeat(string(f.fill), n/2)
		return left + sign + body + strings.Repeat(string(f.fill), n-n/2)
	case '=':
		return sign + fill + body
	default:
		return fill + sign + body
	}
}

func formatInt(x int64, f formatSpec) (string, bool, error) {
	switch f.typ {
	case 0, 'd', 'n':
		if f.precision >= 0 {
			return "", false, fmt.Errorf("precision not allowed in integer format specifier")
		}
		neg := x < 0
		u := uint64(x)
		if neg {
			u = uint64(-x)
		}
		s := strconv.FormatUint(u, 10)
		if f.comma {
			s = group(s)
		}
		return s, neg, nil
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		return formatFloat(float64(x), f)
	}
	return "", false, fmt.Errorf("unknown format code '%c' for an integer", f.typ)
}

func group(digits string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func formatFloat(x float64, f formatSpec) (string, bool, error) {
	neg := math.Signbit(x) && !math.IsNaN(x)
	a := math.Abs(x)
	upper := f.typ == 'E' || f.typ == 'F' || f.typ == 'G'
	if math.IsInf(a, 0) || math.IsNaN(a) {
		s := "inf"
		if math.IsNaN(a) {
			s = "nan"
		}
		if upper {
			s = strings.ToUpper(s)
		}
		if f.typ == '%' {
			s += "%"
		}
		return s, neg, nil
	}
	p := f.precision
	var s string
	switch f.typ {
	case 'f', 'F':
		if p < 0 {
			p = 6
		}
		s = strconv.FormatFloat(a, 'f', p, 64)
	case 'e', 'E':
		if p < 0 {
			p = 6
		}
		s = strconv.FormatFloat(a, 'e', p, 64)
	case '%':
		if p < 0 {
			p = 6
		}
		s = strconv.FormatFloat(a*100, 'f', p, 64) + "%"
	case 'g', 'G', 'n':
		if p < 0 {
			p = 6
		}
		if p == 0 {
			p = 1
		}
		s = strconv.FormatFloat(a, 'g', p, 64)
	case 0:
		if p < 0 {
			s = pyRepr(a)
		} else {
			if p == 0 {
				p = 1
			}
			s = strconv.FormatFloat(a, 'g', p, 64)
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			}
		}
	default:
		return "", false, fmt.Errorf("unknown format code '%c' for a float", f.typ)
	}
	if f.alt && !strings.Contains(s, ".") {
		s = strings.Replace(s, "e", ".e", 1)
		if !strings.Contains(s, ".") {
			s += "."
		}
	}
	if upper {
		s = strings.ToUpper(s)
	}
	if f.comma {
		intPart, rest := s, ""
		if k := strings.IndexAny(s, ".e%"); k >= 0 {
			intPart, rest = s[:k], s[k:]
		}
		s = group(intPart) + rest
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
	if exp >= -4 && exp < 16 {
		var s string
		if exp >= 0 {
			if len(digits) <= exp+1 {
				s = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
			} else {
				s = digits[:exp+1] + "." + digits[exp+1:]
			}
		} else {
			s = "0." + strings.Repeat("0", -exp-1) + digits
		}
		return s
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, exp)
}
