package nn

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Column widths of the summary table (the text inside each cell), as Keras
// 3 prints it on an 80-column terminal.
var summaryWidths = [3]int{31, 22, 13}

// bytesPerParam is the size of a float32 weight, used for the memory sizes
// of the summary (Keras counts each weight's dtype; cnnlab's are float32).
const bytesPerParam = 4

// Summary writes a Keras 3 style summary of the model to w: a table with
// one row per layer ("Layer (type)", "Output Shape" with None for the batch
// axis, "Param #") and the total, trainable and non-trainable parameter
// counts with their float32 memory size. It returns the model's declaration
// error, if any, or the writer's error.
func (m *Model) Summary(w io.Writer) error {
	if m.err != nil {
		return m.err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", m.name)
	line := func(left, fill, mid, right string) {
		b.WriteString(left)
		for i, wd := range summaryWidths {
			if i > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat(fill, wd+2))
		}
		b.WriteString(right + "\n")
	}
	row := func(sep string, cells [3]string) {
		var lines [3][]string
		n := 0
		for i, c := range cells {
			lines[i] = wrap(c, summaryWidths[i])
			n = max(n, len(lines[i]))
		}
		for k := range n {
			b.WriteString(sep)
			for i, wd := range summaryWidths {
				text := ""
				if k < len(lines[i]) {
					text = lines[i][k]
				}
				pad := strings.Repeat(" ", wd-utf8.RuneCountInString(text))
				if i == 2 { // Param # is right-aligned
					b.WriteString(" " + pad + text + " " + sep)
				} else {
					b.WriteString(" " + text + pad + " " + sep)
				}
			}
			b.WriteString("\n")
		}
	}
	line("┏", "━", "┳", "┓")
	row("┃", [3]string{"Layer (type)", "Output Shape", "Param #"})
	line("┡", "━", "╇", "┩")
	for i, l := range m.infos {
		if i > 0 {
			line("├", "─", "┼", "┤")
		}
		row("│", [3]string{l.Name + " (" + l.Class + ")", batchShape(l.OutputShape), commas(l.Params())})
	}
	line("└", "─", "┴", "┘")
	tr, ntr := m.NumParams()
	fmt.Fprintf(&b, " Total params: %s (%s)\n", commas(tr+ntr), memorySize(tr+ntr))
	fmt.Fprintf(&b, " Trainable params: %s (%s)\n", commas(tr), memorySize(tr))
	fmt.Fprintf(&b, " Non-trainable params: %s (%s)\n", commas(ntr), memorySize(ntr))
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns the model's summary (see [Model.Summary]), or the
// declaration error.
func (m *Model) String() string {
	var b strings.Builder
	if err := m.Summary(&b); err != nil {
		return "invalid model: " + err.Error()
	}
	return b.String()
}

// batchShape formats an output shape as Keras does, e.g. "(None, 32, 32, 3)".
func batchShape(dims []int) string {
	parts := []string{"None"}
	for _, d := range dims {
		parts = append(parts, strconv.Itoa(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// commas formats n with thousands separators: 904718 → "904,718".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// memorySize formats the float32 size of n parameters as Keras's
// readable_memory_size does (1024-based units, two decimals): "3.45 MB".
func memorySize(n int) string {
	size := float64(n * bytesPerParam)
	for _, unit := range []string{"B", "KB", "MB", "GB", "TB"} {
		if size/1024 < 1 {
			return fmt.Sprintf("%.2f %s", size, unit)
		}
		size /= 1024
	}
	return fmt.Sprintf("%.2f PB", size)
}

// wrap splits text into lines of at most width runes, breaking at spaces
// and folding words longer than width.
func wrap(text string, width int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(text) {
		for utf8.RuneCountInString(word) > width {
			if cur != "" {
				lines, cur = append(lines, cur), ""
			}
			r := []rune(word)
			lines, word = append(lines, string(r[:width])), string(r[width:])
		}
		switch {
		case cur == "":
			cur = word
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(word) <= width:
			cur += " " + word
		default:
			lines, cur = append(lines, cur), word
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}
